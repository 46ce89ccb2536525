"""Generic portal pages (NetBox style): list, detail, edit, delete and state actions.

Views stay thin: reads come from a selector scoped to the actor, writes go through a
service, and a service's ValidationError becomes form errors on the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.views.generic import FormView, ListView, TemplateView, View

from portal.declarations import declaration
from portal.generic.columns import Column
from portal.generic.related import RelatedTable, related_tables
from portal.models import ObjectChange
from portal.permissions import Action, may, require
from portal.validation import NON_FIELD


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's errors on the form fields they name, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD else None
        for item in errors:
            form.add_error(target, item)


def refusal_messages(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal, each of its messages shown on the page the user is sent to."""
    for message in error.messages:
        messages.error(request, message)


class ObjectMixin(LoginRequiredMixin):
    """Looks up the object in the URL through the view's selector (404 if not visible)."""

    model: type[Model]
    selector: Callable[..., QuerySet]
    #: whether the region switcher may land on this page's path in another region (lists
    #: and detail pages: the model's declaration then decides, see identity/sso/selectors.py)
    shown_in_every_region = False

    def get_queryset(self) -> QuerySet:
        return type(self).selector(actor=self.request.user)

    def get_object(self) -> Model:
        if not hasattr(self, "_object"):
            try:
                self._object = self.get_queryset().get(pk=self.kwargs["pk"])
            except (ObjectDoesNotExist, ValueError, ValidationError) as error:
                raise Http404(f"No such {self.model._meta.verbose_name}.") from error
        return self._object

    @property
    def instance_kwarg(self) -> str:
        """The keyword the model's services take the object by (zone=..., user=...)."""
        return self.model._meta.model_name

    def can(self, action: Action, obj: Any = None) -> bool:
        if action == Action.ADD:
            return may(self.request.user, action, self.model, within=self.request.user.account)
        return may(self.request.user, action, obj)


class ObjectListView(ObjectMixin, ListView):
    template_name = "generic/object_list.html"
    shown_in_every_region = True
    paginate_by = 50
    columns: list[Column] = []
    #: the list's read: (actor, filters, search) -> rows, the app's `<model>s_filtered`
    #: selector, which the REST list and the CloudStack list command share
    list_selector: Callable[..., QuerySet]
    add_url_name: str | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and declaration(self.model).restricted:
            require(request.user, Action.VIEW, self.model)  # a 403, not an empty list
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        filters = self.request.GET.copy()
        for name in ("q", "page"):
            filters.pop(name, None)
        search = self.request.GET.get("q", "")
        try:
            return type(self).list_selector(actor=self.request.user, filters=filters, search=search)
        except ValidationError as error:
            # A filter in the address that cannot be read is left out, and the page says so.
            for field, problems in error.message_dict.items():
                filters.pop(field, None)
                messages.warning(self.request, f"{field}: {' '.join(problems)} (filter ignored)")
        return type(self).list_selector(actor=self.request.user, filters=filters, search=search)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=capfirst(self.model._meta.verbose_name_plural),
            columns=self.columns,
            query=self.request.GET.get("q", ""),
            add_url=reverse(self.add_url_name)
            if self.add_url_name and self.can(Action.ADD)
            else None,
        )
        return context


@dataclass(frozen=True)
class StateAction:
    """A button on a detail page that POSTs to an ObjectActionView."""

    label: str
    action: str
    style: str = "outline-secondary"
    #: whether the button is shown on OBJ (default: always, or see `state`)
    shown: Callable[[Any], bool] | None = None
    #: the state (the object's `state` field) the action sets: shown on objects in another
    state: str | None = None

    def offered_on(self, obj: Any) -> bool:
        if self.shown is not None:
            return self.shown(obj)
        return self.state is None or obj.state != self.state


class ObjectDetailView(ObjectMixin, TemplateView):
    template_name = "generic/object_detail.html"
    shown_in_every_region = True
    fields: list[Column] = []
    state_actions: list[StateAction] = []
    url_prefix: str  # e.g. "identity:user" for identity:user_edit, identity:user_delete

    def related(self, obj: Any) -> list[RelatedTable]:
        return []

    def changes_url(self, obj: Any) -> str | None:
        """The object's "Changes" tab (the change log's page, served by the federation
        layer under this name), for those who may read the log."""
        found = declaration(obj)
        if not found.logs_changes or not may(self.request.user, Action.VIEW, ObjectChange):
            return None
        return reverse("changes:object", args=[found.label, obj.pk])

    def state_set_by(self, action: str) -> str | None:
        """The state the state action named ACTION sets, if it sets one."""
        return next((a.state for a in self.state_actions if a.action == action), None)

    def allows(self, obj: Any, action: str) -> bool:
        """Whether the service would do ACTION (Action.CHANGE, Action.DELETE or a state
        action's name) on OBJ once `can` lets the actor. A view whose service refuses more
        (oneself, the last root admin, another region's zone) asks the service's own check
        here (portal.validation.passes), so the page offers only what will be done."""
        return True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        obj = self.get_object()
        can_change = self.can(Action.CHANGE, obj)
        return super().get_context_data(
            object=obj,
            title=f"{capfirst(self.model._meta.verbose_name)} {obj}",
            fields=self.fields,
            related=[*self.related(obj), *related_tables(self.request.user, obj)],
            changes_url=self.changes_url(obj),
            edit_url=(
                reverse(f"{self.url_prefix}_edit", args=[obj.pk])
                if can_change and self.allows(obj, Action.CHANGE)
                else None
            ),
            delete_url=(
                reverse(f"{self.url_prefix}_delete", args=[obj.pk])
                if self.can(Action.DELETE, obj) and self.allows(obj, Action.DELETE)
                else None
            ),
            actions=[
                (a, reverse(f"{self.url_prefix}_action", args=[obj.pk, a.action]))
                for a in self.state_actions
                if can_change and a.offered_on(obj) and self.allows(obj, a.action)
            ],
            **kwargs,
        )


class ObjectEditView(ObjectMixin, FormView):
    """Create (no pk in the URL) or edit an object through `save`, which calls a service:
    by default `create_service(**changed, by=...)`, or `update_service(<instance_kwarg>=obj,
    **changed, by=...)`, with what the form changed."""

    template_name = "generic/object_form.html"
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]

    @property
    def is_create(self) -> bool:
        return "pk" not in self.kwargs

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            if self.is_create:
                require(request.user, Action.ADD, self.model, within=request.user.account)
            else:
                require(request.user, Action.CHANGE, self.get_object())
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        if not self.is_create:
            kwargs["instance"] = self.get_object()
        return kwargs

    def save(self, form: Form) -> Model:
        by = self.request.user
        if self.is_create:
            return type(self).create_service(**form.changed(), by=by)
        obj = self.get_object()
        return type(self).update_service(**{self.instance_kwarg: obj}, **form.changed(), by=by)

    def form_valid(self, form: Form) -> HttpResponse:
        try:
            obj = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        verb = "Created" if self.is_create else "Updated"
        messages.success(self.request, f"{verb} {self.model._meta.verbose_name} {obj}.")
        return redirect(obj.get_absolute_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        name = self.model._meta.verbose_name
        title = f"New {name}" if self.is_create else f"Edit {name} {self.get_object()}"
        cancel = self.get_object().get_absolute_url() if not self.is_create else None
        return super().get_context_data(title=title, cancel_url=cancel, **kwargs)


class ObjectDeleteView(ObjectMixin, FormView):
    """Asks for confirmation, then deletes through the service (by default
    `delete_service(<instance_kwarg>=obj, by=...)`); refusals are shown."""

    template_name = "generic/object_confirm_delete.html"
    form_class = Form
    success_url_name: str
    delete_service: Callable[..., None]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require(request.user, Action.DELETE, self.get_object())
        return super().dispatch(request, *args, **kwargs)

    def delete(self, obj: Any, form: Form) -> None:
        type(self).delete_service(**{self.instance_kwarg: obj}, by=self.request.user)

    def form_valid(self, form: Form) -> HttpResponse:
        obj = self.get_object()
        try:
            self.delete(obj, form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Deleted {self.model._meta.verbose_name} {obj}.")
        return redirect(self.success_url_name)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        obj = self.get_object()
        return super().get_context_data(
            object=obj,
            title=f"Delete {self.model._meta.verbose_name} {obj}?",
            cancel_url=obj.get_absolute_url(),
            **kwargs,
        )


class ObjectActionView(ObjectMixin, View):
    """POST-only state changes (enable, disable, lock ...), each mapped to a service."""

    http_method_names = ["post"]
    #: action -> (service, past tense for the message)
    services: dict[str, tuple[Callable[..., Any], str]] = {}

    def post(self, request: HttpRequest, pk: Any, action: str) -> HttpResponse:
        if action not in self.services:
            raise Http404("No such action.")
        service, done = self.services[action]
        obj = self.get_object()
        try:
            service(**{self.instance_kwarg: obj}, by=request.user)
        except ValidationError as error:
            refusal_messages(request, error)
        else:
            messages.success(request, f"{capfirst(self.model._meta.verbose_name)} {obj} {done}.")
        return HttpResponseRedirect(obj.get_absolute_url())
