from django.urls import path

from identity import views
from portal.generic.urls import object_routes

app_name = "identity"


urlpatterns = [
    *object_routes(
        "domains",
        "domain",
        views.DomainListView,
        views.DomainDetailView,
        views.DomainEditView,
        views.DomainDeleteView,
    ),
    *object_routes(
        "accounts",
        "account",
        views.AccountListView,
        views.AccountDetailView,
        views.AccountEditView,
        views.AccountDeleteView,
        views.AccountActionView,
    ),
    path("users/<uuid:pk>/password/", views.UserPasswordView.as_view(), name="user_password"),
    path("users/<uuid:pk>/keys/", views.UserKeysView.as_view(), name="user_keys"),
    *object_routes(
        "users",
        "user",
        views.UserListView,
        views.UserDetailView,
        views.UserEditView,
        views.UserDeleteView,
        views.UserActionView,
    ),
    path("projects/<uuid:pk>/members/", views.ProjectMemberView.as_view(), name="project_members"),
    *object_routes(
        "projects",
        "project",
        views.ProjectListView,
        views.ProjectDetailView,
        views.ProjectEditView,
        views.ProjectDeleteView,
        views.ProjectActionView,
    ),
]
