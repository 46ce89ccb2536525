"""Identity pages: thin views over identity.selectors and identity.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from identity import selectors, services
from identity.forms import (
    AccountForm,
    DomainDeleteForm,
    DomainForm,
    MembershipForm,
    PasswordPairForm,
    ProjectForm,
    UserForm,
)
from identity.models import Account, AccountState, Domain, Project, ProjectState, User, UserState
from identity.permissions import Action, may_use_api_keys, require
from portal.generic.columns import Column
from portal.generic.views import (
    ObjectActionView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RelatedTable,
    StateAction,
    refusal_messages,
)
from portal.validation import passes


def enable_disable_lock(states: type[TextChoices]) -> list[StateAction]:
    """The state actions of accounts and users, each offered unless already in its state."""
    return [
        StateAction("Enable", "enable", "outline-success", state=states.ENABLED),
        StateAction("Disable", "disable", "outline-warning", state=states.DISABLED),
        StateAction("Lock", "lock", "outline-danger", state=states.LOCKED),
    ]


# --- Domains -------------------------------------------------------------------------------

DOMAIN_COLUMNS = [Column("Path", "path", link=True), Column("Network domain", "network_domain")]


class DomainListView(ObjectListView):
    model, selector = Domain, selectors.domains_visible_to
    list_selector = selectors.domains_filtered
    columns = DOMAIN_COLUMNS
    add_url_name = "identity:domain_add"


class DomainDetailView(ObjectDetailView):
    model, selector = Domain, selectors.domains_visible_to
    url_prefix = "identity:domain"
    fields = [
        Column("Name", "name"),
        Column("Path", "path"),
        Column("Parent", "parent", link=True),
        Column("Network domain", "network_domain"),
        Column("ID", "pk"),
    ]

    def related(self, obj: Domain) -> list[RelatedTable]:
        actor = self.request.user
        return [
            RelatedTable(
                "Subdomains",
                DOMAIN_COLUMNS,
                selectors.domains_visible_to(actor=actor).filter(parent=obj),
            ),
            RelatedTable(
                "Accounts",
                ACCOUNT_COLUMNS,
                selectors.accounts_visible_to(actor=actor).filter(domain=obj),
            ),
            RelatedTable(
                "Projects",
                PROJECT_COLUMNS,
                selectors.projects_visible_to(actor=actor).filter(domain=obj),
            ),
        ]


class DomainEditView(ObjectEditView):
    model, selector, form_class = Domain, selectors.domains_visible_to, DomainForm
    create_service, update_service = services.domain_create, services.domain_update


class DomainDeleteView(ObjectDeleteView):
    model, selector, form_class = Domain, selectors.domains_visible_to, DomainDeleteForm
    success_url_name = "identity:domain_list"

    def delete(self, obj: Domain, form: DomainDeleteForm) -> None:
        services.domain_delete(
            domain=obj, cleanup=form.cleaned_data["cleanup"], by=self.request.user
        )


# --- Accounts ------------------------------------------------------------------------------

ACCOUNT_COLUMNS = [
    Column("Name", "name", link=True),
    Column("Domain", "domain.path"),
    Column("Type", "type"),
    Column("State", "state", badge=True),
]


class AccountListView(ObjectListView):
    model, selector = Account, selectors.accounts_visible_to
    list_selector = selectors.accounts_filtered
    columns = ACCOUNT_COLUMNS
    add_url_name = "identity:account_add"


class AccountDetailView(ObjectDetailView):
    model, selector = Account, selectors.accounts_visible_to
    url_prefix = "identity:account"
    fields = [*ACCOUNT_COLUMNS, Column("Network domain", "network_domain"), Column("ID", "pk")]
    state_actions = enable_disable_lock(AccountState)

    def allows(self, obj: Account, action: str) -> bool:
        by = self.request.user
        if state := self.state_set_by(action):
            return passes(services.account_state_check, account=obj, state=state, by=by)
        if action == Action.DELETE:
            return passes(services.account_delete_check, account=obj, by=by)
        return True

    def related(self, obj: Account) -> list[RelatedTable]:
        actor = self.request.user
        return [
            RelatedTable(
                "Users", USER_COLUMNS, selectors.users_visible_to(actor=actor).filter(account=obj)
            ),
            RelatedTable(
                "Projects owned",
                PROJECT_COLUMNS,
                selectors.projects_visible_to(actor=actor).filter(owner=obj),
            ),
        ]


class AccountEditView(ObjectEditView):
    model, selector, form_class = Account, selectors.accounts_visible_to, AccountForm
    create_service, update_service = services.account_create, services.account_update


class AccountDeleteView(ObjectDeleteView):
    model, selector = Account, selectors.accounts_visible_to
    success_url_name, delete_service = "identity:account_list", services.account_delete


class AccountActionView(ObjectActionView):
    model, selector = Account, selectors.accounts_visible_to
    services = {
        "enable": (services.account_enable, "enabled"),
        "disable": (services.account_disable, "disabled"),
        "lock": (services.account_lock, "locked"),
    }


# --- Users ---------------------------------------------------------------------------------

USER_COLUMNS = [
    Column("Username", "username", link=True),
    Column("Name", "get_full_name"),
    Column("Account", "account", link=True),
    Column("Domain", "account.domain.path"),
    Column("State", "state", badge=True),
]


class UserListView(ObjectListView):
    model, selector = User, selectors.users_visible_to
    list_selector = selectors.users_filtered
    columns = USER_COLUMNS
    add_url_name = "identity:user_add"


class UserDetailView(ObjectDetailView):
    model, selector = User, selectors.users_visible_to
    url_prefix = "identity:user"
    fields = [
        *USER_COLUMNS,
        Column("Email", "email"),
        Column("Time zone", "timezone"),
        Column("Last sign-in", "last_login"),
        Column("API key", "api_keys.first.api_key"),
        Column("ID", "pk"),
    ]
    state_actions = enable_disable_lock(UserState)

    def allows(self, obj: User, action: str) -> bool:
        by = self.request.user
        if state := self.state_set_by(action):
            return passes(services.user_state_check, user=obj, state=state, by=by)
        if action == Action.DELETE:
            return passes(services.user_delete_check, user=obj, by=by)
        if action == KEYS_ACTION.action:
            return may_use_api_keys(obj)  # what user_keys_register asks
        return True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if context["edit_url"]:
            user = context["object"]
            context["extra_links"] = [
                ("Change password", reverse("identity:user_password", args=[user.pk]))
            ]
            if self.allows(user, KEYS_ACTION.action):
                context["actions"] = [
                    *context["actions"],
                    (KEYS_ACTION, reverse("identity:user_keys", args=[user.pk])),
                ]
        return context


KEYS_ACTION = StateAction("Generate API keys", "keys", "outline-primary")


class UserKeysView(LoginRequiredMixin, View):
    """POST: a new API key pair for the user; the secret is shown on this answer only.

    Rendered in place rather than redirected, so the secret never sits in a message store,
    a URL or a log line.
    """

    model = User  # what the route names (tests walk the routes by their models)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        user = get_object_or_404(selectors.users_visible_to(actor=request.user), pk=pk)
        try:
            pair = services.user_keys_register(user=user, by=request.user)
        except ValidationError as error:  # a page from before api.key.access was turned off
            refusal_messages(request, error)
            return redirect(user)
        response = render(
            request,
            "identity/user_keys.html",
            {"title": f"API keys of {user}", "object": user, "pair": pair},
        )
        response["Cache-Control"] = "no-store"
        return response


class UserEditView(ObjectEditView):
    model, selector, form_class = User, selectors.users_visible_to, UserForm
    create_service, update_service = services.user_create, services.user_update


class UserPasswordView(ObjectEditView):
    model, selector, form_class = User, selectors.users_visible_to, PasswordPairForm

    def save(self, form: PasswordPairForm) -> User:
        user = services.user_password_change(
            user=self.get_object(),
            password=form.cleaned_data["password"],
            current_password=form.cleaned_data.get("current_password"),
            by=self.request.user,
        )
        if user.pk == self.request.user.pk:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(self.request, user)
        return user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = f"Change the password of {self.get_object()}"
        return context


class UserDeleteView(ObjectDeleteView):
    model, selector = User, selectors.users_visible_to
    success_url_name, delete_service = "identity:user_list", services.user_delete


class UserActionView(ObjectActionView):
    model, selector = User, selectors.users_visible_to
    services = {
        "enable": (services.user_enable, "enabled"),
        "disable": (services.user_disable, "disabled"),
        "lock": (services.user_lock, "locked"),
    }


# --- Projects ------------------------------------------------------------------------------

PROJECT_COLUMNS = [
    Column("Name", "name", link=True),
    Column("Domain", "domain.path"),
    Column("Owner", "owner", link=True),
    Column("State", "state", badge=True),
]
MEMBER_COLUMNS = [Column("Account", "account", link=True), Column("Role", "role")]


class ProjectListView(ObjectListView):
    model, selector = Project, selectors.projects_visible_to
    list_selector = selectors.projects_filtered
    columns = PROJECT_COLUMNS
    add_url_name = "identity:project_add"


class ProjectDetailView(ObjectDetailView):
    model, selector = Project, selectors.projects_visible_to
    url_prefix = "identity:project"
    fields = [*PROJECT_COLUMNS, Column("Display text", "display_text"), Column("ID", "pk")]
    state_actions = [
        StateAction("Activate", "activate", "outline-success", state=ProjectState.ACTIVE),
        StateAction("Suspend", "suspend", "outline-warning", state=ProjectState.SUSPENDED),
    ]
    template_name = "identity/project_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["memberships"] = selectors.project_members(project=context["object"])
        if context["edit_url"]:
            context["member_form"] = MembershipForm(actor=self.request.user)
        return context


class ProjectEditView(ObjectEditView):
    model, selector, form_class = Project, selectors.projects_visible_to, ProjectForm
    create_service, update_service = services.project_create, services.project_update


class ProjectDeleteView(ObjectDeleteView):
    model, selector = Project, selectors.projects_visible_to
    success_url_name, delete_service = "identity:project_list", services.project_delete


class ProjectActionView(ObjectActionView):
    model, selector = Project, selectors.projects_visible_to
    services = {
        "activate": (services.project_activate, "activated"),
        "suspend": (services.project_suspend, "suspended"),
    }


class ProjectMemberView(LoginRequiredMixin, View):
    """POST: add a member (account, role) or, with `remove`, remove one."""

    model = Project  # what the route names (tests walk the routes by their models)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        project = get_object_or_404(selectors.projects_visible_to(actor=request.user), pk=pk)
        require(request.user, Action.CHANGE, project)
        try:
            if "remove" in request.POST:
                removable = selectors.accounts_removable_from(project=project, actor=request.user)
                account = get_object_or_404(removable, pk=request.POST["remove"])
                services.project_member_remove(project=project, account=account, by=request.user)
                messages.success(request, f"Removed {account} from {project}.")
            else:
                form = MembershipForm(request.POST, actor=request.user)
                if not form.is_valid():
                    for field, errors in form.errors.items():
                        messages.error(request, f"{field}: {' '.join(errors)}")
                    return redirect(project)
                services.project_member_add(project=project, **form.changed(), by=request.user)
                messages.success(request, f"Added {form.cleaned_data['account']} to {project}.")
        except ValidationError as error:
            refusal_messages(request, error)
        return redirect(project)
