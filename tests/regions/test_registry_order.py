"""The replication registry orders models parents first from their foreign keys, not from
the order apps happen to register them in."""

from __future__ import annotations

from regions.federation.replication import registry


def _parents(spec: registry.ReplicatedModel, labels: set[str]) -> set[str]:
    return {
        f.related_model._meta.label_lower
        for f in spec.model._meta.concrete_fields
        if f.is_relation and f.related_model is not spec.model
    } & labels


def _assert_parents_first(specs: list[registry.ReplicatedModel]) -> None:
    labels = {spec.label for spec in specs}
    seen: set[str] = set()
    for spec in specs:
        assert _parents(spec, labels) <= seen, (spec.label, _parents(spec, labels) - seen)
        seen.add(spec.label)


def test_every_model_comes_after_the_models_it_points_to():
    specs = registry.registered()
    labels = [spec.label for spec in specs]
    assert {"identity.domain", "identity.user", "regions.region", "sso.regionchoice"} <= set(labels)
    _assert_parents_first(specs)
    assert labels.index("regions.region") < labels.index("sso.regionchoice")
    assert labels.index("identity.account") < labels.index("identity.user")


def test_the_order_does_not_depend_on_the_order_of_registration():
    specs = registry.registered()
    for shuffled in (list(reversed(specs)), specs[1::2] + specs[::2]):
        ordered = registry._parents_first(shuffled)
        assert {s.label for s in ordered} == {s.label for s in specs}
        _assert_parents_first(ordered)


def test_a_migration_s_historical_model_records_nothing(db):
    """Receivers listen to every model and pick the registered classes themselves."""
    from django.apps import apps as global_apps
    from django.db.migrations.state import ProjectState

    from regions.models import Change

    historical = ProjectState.from_apps(global_apps).apps.get_model("identity", "Domain")
    root = historical.objects.get(parent=None)
    before = Change.objects.count()
    historical.objects.create(parent=root, name="hist", path=f"{root.path}/hist")
    assert Change.objects.count() == before
