from django.urls import path

from identity import views

app_name = "identity"


def crud(prefix: str, name: str, list_view, detail, edit, delete, action=None) -> list:
    """The five (or six) routes every identity object has, with one naming scheme."""
    routes = [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<uuid:pk>/", detail.as_view(), name=name),
        path(f"{prefix}/<uuid:pk>/edit/", edit.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<uuid:pk>/delete/", delete.as_view(), name=f"{name}_delete"),
    ]
    if action is not None:
        routes.append(
            path(f"{prefix}/<uuid:pk>/<slug:action>/", action.as_view(), name=f"{name}_action")
        )
    return routes


urlpatterns = [
    *crud(
        "domains",
        "domain",
        views.DomainListView,
        views.DomainDetailView,
        views.DomainEditView,
        views.DomainDeleteView,
    ),
    *crud(
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
    *crud(
        "users",
        "user",
        views.UserListView,
        views.UserDetailView,
        views.UserEditView,
        views.UserDeleteView,
        views.UserActionView,
    ),
    path("projects/<uuid:pk>/members/", views.ProjectMemberView.as_view(), name="project_members"),
    *crud(
        "projects",
        "project",
        views.ProjectListView,
        views.ProjectDetailView,
        views.ProjectEditView,
        views.ProjectDeleteView,
        views.ProjectActionView,
    ),
]
