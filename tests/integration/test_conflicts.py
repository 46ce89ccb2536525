"""The conflict policy, raced on three live regions.

Each test fires two conflicting writes at the same moment, one at region 1's REST API and
one at region 3's (threads released by one barrier; the first repetition with regions 1
and 3 cut apart by the fault proxies, so the writes are concurrent for sure; later ones
with small offsets, so the second write may meet the first while it is being applied),
records every answer, waits until the regions converge (tests/integration/convergence.py:
full rows of every replicated model, the data's own rules, nothing parked) and then holds
every acknowledged (2xx) write to the policy:

- update/update of one row: the newest version (hybrid logical clock) wins the whole row.
- Deletes are final; an update concurrent with a delete loses, and when its clock was
  ahead a region records a 'delete_wins' override.
- A parent deleted while a child is made elsewhere: the child goes too, everywhere
  ('cascade' override), nothing stays parked.
- A parent renamed while a child is made elsewhere: the child's path names the new name.
- The same unique name made in two regions: both rows live, the lower UUID keeps the
  name, the other is `<name>-<first 8 hex of its uuid>` ('name_clash'); the same
  membership made twice: one row (the lower UUID) lives ('duplicate').
- Local races answer 400 or 409 naming the field, never 5xx.

No 5xx anywhere, ever. A soak at the end writes from two regions while processes of the
others are killed with SIGKILL (and brought back by the supervisor) and a link is cut.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest

from tests.integration.convergence import changes
from tests.integration.races import (
    ACCOUNT,
    APIKEY,
    COLUMNS,
    DOMAIN,
    MEMBERSHIP,
    PROJECT,
    ROOT_DOMAIN_ID,
    USER,
    Answer,
    Client,
    Ledger,
    Verdict,
    hammer,
    partition,
    race,
    settle,
    uid,
    wait_present,
)
from tests.live import PASSWORD, Api, db

pytestmark = pytest.mark.integration

#: repetitions of each race: the first under a partition, the others at the same moment
REPS = 3


@pytest.fixture
def ledger(cloud) -> Ledger:
    return Ledger(cloud)


def _client(cloud, apis, index: int, ledger: Ledger) -> Client:
    token = {"Authorization": apis[index - 1].session.headers["Authorization"]}
    return Client(cloud, token, index, ledger)


@pytest.fixture
def one(cloud, apis, ledger) -> Client:
    return _client(cloud, apis, 1, ledger)


@pytest.fixture
def three(cloud, apis, ledger) -> Client:
    return _client(cloud, apis, 3, ledger)


def concurrently(cloud, rep: int):
    """The first repetition runs with regions 1 and 3 cut apart; the others connected."""
    return partition(cloud, 1, 3) if rep == 0 else contextlib.nullcontext()


def offsets(rep: int) -> tuple[float, float]:
    """Repetition 0 and 1 at the same moment; later ones with region 3 a little later."""
    return (0.0, 0.0) if rep < 2 else (0.0, 0.08 * (rep - 1))


# --- setup, through region 1's API, asserted ---------------------------------------------------


def mk_domain(api: Api, parent: str = ROOT_DOMAIN_ID, name: str | None = None) -> dict:
    return api.post("/domains/", parent=parent, name=name or uid("dom"))


def mk_account(api: Api, domain: str = ROOT_DOMAIN_ID) -> dict:
    return api.post("/accounts/", domain=domain, name=uid("acct"), type=0)


def mk_user(api: Api, account: str) -> dict:
    return api.post("/users/", account=account, username=uid("user"), password=PASSWORD)


def mk_project(api: Api, domain: str, owner: str) -> dict:
    return api.post("/projects/", domain=domain, name=uid("proj"), owner=owner)


def ids(rows: list[dict]) -> list[str]:
    return [str(r["id"]) for r in rows]


def newest_upsert(cloud, kind: tuple[str, str], object_id: str):
    """The newest upsert of the object in any region's change log."""
    found = [c for r in cloud.regions for c in changes(r, kind[1], object_id) if c.op == "upsert"]
    return max(found, key=lambda c: c.version)


# --- update/update ---------------------------------------------------------------------------


def test_update_update_the_newest_version_wins_the_whole_row(cloud, apis, ledger, one, three):
    account = mk_account(apis[0])
    users = [mk_user(apis[0], account["id"]) for _ in range(REPS)]
    domains = [mk_domain(apis[0]) for _ in range(2)]
    wait_present(cloud, USER[0], ids(users))
    wait_present(cloud, DOMAIN[0], ids(domains))

    partitioned = []
    for rep, user in enumerate(users):
        path = f"/users/{user['id']}/"
        with concurrently(cloud, rep):
            answers = race(
                partial(one.patch, path, first_name=f"one{rep}", email="one@example.com"),
                partial(three.patch, path, last_name=f"three{rep}", email="three@example.com"),
                offsets=offsets(rep),
            )
        partitioned += answers if rep == 0 else []
    for rep, domain in enumerate(domains):
        path = f"/domains/{domain['id']}/"
        with concurrently(cloud, rep):
            answers = race(
                partial(one.patch, path, name=uid("renamed")),
                partial(three.patch, path, network_domain=f"three{rep}.example.com"),
            )
        partitioned += answers if rep == 0 else []

    verdict = Verdict(cloud, settle(cloud, ledger))
    verdict.both_acknowledged(partitioned)
    for answer in ledger.answers:
        if not answer.ok:
            verdict.fail(f"an update of a live row was refused: {answer}")
    for kind, row in [(USER, u) for u in users] + [(DOMAIN, d) for d in domains]:
        newest = newest_upsert(cloud, kind, row["id"])
        final = verdict.row(kind, row["id"])
        if final is None:
            verdict.fail(f"{kind[1]} {row['id']} disappeared")
            continue
        differs = {
            k: (final[k], v)
            for k, v in newest.payload.items()
            if k in final and str(final[k]) != str(v)
        }
        if differs:
            verdict.fail(
                f"{kind[1]} {row['id']}: not the whole row of the newest write (region "
                f"{newest.region}, version {newest.version}); (now, newest) differ: {differs}"
            )
        version = verdict.final.version(kind[1], row["id"])
        stored = version and (version["wall"], version["counter"], version["origin"])
        if stored != newest.version:
            verdict.fail(
                f"{kind[1]} {row['id']}: version row {stored} is not the newest "
                f"write's {newest.version}"
            )
    verdict.done(ledger)


# --- delete vs update ------------------------------------------------------------------------


def test_an_update_concurrent_with_a_delete_loses(cloud, apis, ledger, one, three):
    account = mk_account(apis[0])
    users = [mk_user(apis[0], account["id"]) for _ in range(REPS)]
    domains = [mk_domain(apis[0]) for _ in range(2)]
    wait_present(cloud, USER[0], ids(users))
    wait_present(cloud, DOMAIN[0], ids(domains))
    clients = {1: one, 3: three}
    raced = []  # (kind, id, deleter, updater, delete answer, update answer)

    # Under the partition the update comes 50 ms after the delete: its clock is ahead, it
    # would have won, and the override must say so.
    timing = {0: (0.0, 0.05), 1: (0.0, 0.0)}
    for rep, user in enumerate(users):
        deleter, updater = (1, 3) if rep != 1 else (3, 1)
        path = f"/users/{user['id']}/"
        with concurrently(cloud, rep):
            deleted, updated = race(
                partial(clients[deleter].delete, path),
                partial(clients[updater].patch, path, first_name=f"late{rep}"),
                offsets=timing.get(rep, offsets(rep)),
            )
        raced.append((USER, user["id"], deleter, updater, deleted, updated, rep))
    for rep, domain in enumerate(domains):
        deleter, updater = (1, 3) if rep == 0 else (3, 1)
        with concurrently(cloud, rep):
            deleted, updated = race(
                partial(clients[deleter].delete, f"/domains/{domain['id']}/?cleanup=true"),
                partial(clients[updater].patch, f"/domains/{domain['id']}/", name=uid("late")),
                offsets=timing[rep],
            )
        raced.append((DOMAIN, domain["id"], deleter, updater, deleted, updated, rep))

    verdict = Verdict(cloud, settle(cloud, ledger))
    verdict.both_acknowledged([a for *_, d, u, rep in raced if rep == 0 for a in (d, u)])
    for kind, object_id, deleter, updater, deleted, updated, _ in raced:
        if not deleted.ok:
            verdict.fail(f"deleting a live row was refused: {deleted}")
            continue
        verdict.deleted(kind, object_id, kind[1])
        if updated.ok:
            verdict.update_lost_to_delete(kind, object_id, deleted_in=deleter, updated_in=updater)
        elif updated.status != 404 and not updated.refused_naming("name", "first_name"):
            verdict.fail(
                f"the losing update must be 404 (gone) or 400/409 naming the field: {updated}"
            )
    verdict.done(ledger)


# --- a parent deleted while a child is made elsewhere ----------------------------------------


@dataclass
class Cascade:
    parent: tuple[str, str]
    child: tuple[str, str]
    #: makes the parent (and what the child needs) through region 1: {"parent": id, ...}
    setup: Callable[[Api], dict[str, str]]
    delete: Callable[[dict[str, str]], str]  # the DELETE path of the parent
    create: Callable[[Client, dict[str, str]], Answer]  # makes the child
    refusal_names: tuple[str, ...]
    survivors: list[tuple[tuple[str, str], str]] = field(default_factory=list)
    #: a delete that meets the child while it is being applied may be refused, naming these
    delete_refusal_names: tuple[str, ...] = ()


def _domain_with_owner(api: Api) -> dict[str, str]:
    domain = mk_domain(api)
    return {"parent": domain["id"], "owner": mk_account(api, domain["id"])["id"]}


def _account(api: Api) -> dict[str, str]:
    return {"parent": mk_account(api)["id"]}


def _account_and_project(api: Api) -> dict[str, str]:
    domain = mk_domain(api)
    owner = mk_account(api, domain["id"])
    project = mk_project(api, domain["id"], owner["id"])
    member = mk_account(api, domain["id"])
    return {
        "parent": member["id"],
        "project": project["id"],
        "owner": owner["id"],
        "domain": domain["id"],
    }


def _user(api: Api) -> dict[str, str]:
    return {"parent": mk_user(api, mk_account(api)["id"])["id"]}


CASCADES = {
    "domain-deleted-account-made": Cascade(
        DOMAIN,
        ACCOUNT,
        lambda api: {"parent": mk_domain(api)["id"]},
        lambda ctx: f"/domains/{ctx['parent']}/?cleanup=true",
        lambda c, ctx: c.post("/accounts/", domain=ctx["parent"], name=uid("acct"), type=0),
        ("domain",),
        delete_refusal_names=("domain", "cleanup"),
    ),
    "domain-deleted-project-made": Cascade(
        DOMAIN,
        PROJECT,
        _domain_with_owner,
        lambda ctx: f"/domains/{ctx['parent']}/?cleanup=true",
        lambda c, ctx: c.post(
            "/projects/", domain=ctx["parent"], name=uid("proj"), owner=ctx["owner"]
        ),
        ("domain", "owner"),
        delete_refusal_names=("domain", "cleanup"),
    ),
    "domain-deleted-subdomain-made": Cascade(
        DOMAIN,
        DOMAIN,
        lambda api: {"parent": mk_domain(api)["id"]},
        lambda ctx: f"/domains/{ctx['parent']}/?cleanup=true",
        lambda c, ctx: c.post("/domains/", parent=ctx["parent"], name=uid("sub")),
        ("parent",),
        delete_refusal_names=("domain", "cleanup"),
    ),
    "account-deleted-user-made": Cascade(
        ACCOUNT,
        USER,
        _account,
        lambda ctx: f"/accounts/{ctx['parent']}/",
        lambda c, ctx: c.post(
            "/users/", account=ctx["parent"], username=uid("user"), password=PASSWORD
        ),
        ("account",),
        delete_refusal_names=("account",),
    ),
    "account-deleted-membership-made": Cascade(
        ACCOUNT,
        MEMBERSHIP,
        _account_and_project,
        lambda ctx: f"/accounts/{ctx['parent']}/",
        lambda c, ctx: c.post(
            f"/projects/{ctx['project']}/members/", account=ctx["parent"], role="regular"
        ),
        ("account",),
        survivors=[(PROJECT, "project"), (ACCOUNT, "owner"), (DOMAIN, "domain")],
        delete_refusal_names=("account",),
    ),
    "user-deleted-api-key-made": Cascade(
        USER,
        APIKEY,
        _user,
        lambda ctx: f"/users/{ctx['parent']}/",
        lambda c, ctx: c.register_keys(ctx["parent"]),
        ("id", "user"),
        delete_refusal_names=("user",),
    ),
}


def _apikey_id(cloud, answer: Answer) -> str | None:
    """The UUID of the key pair an answer of registerUserKeys made (from its change)."""
    with db(cloud.region(answer.region)) as conn:
        row = conn.execute(
            "SELECT object_id FROM regions_change WHERE origin = %s AND op = 'upsert' "
            "AND model = 'identity.apikey' AND payload->>'api_key' = %s",
            [answer.region, answer.data["apikey"]],
        ).fetchone()
    return row and row[0]


@pytest.mark.parametrize("case", list(CASCADES))
def test_a_parent_deleted_while_a_child_is_made_elsewhere_takes_the_child(
    cloud, apis, ledger, one, three, case
):
    spec = CASCADES[case]
    contexts = [spec.setup(apis[0]) for _ in range(REPS)]
    wait_present(cloud, spec.parent[0], [ctx["parent"] for ctx in contexts])
    for ctx in contexts:
        for kind, key in spec.survivors:
            wait_present(cloud, kind[0], [ctx[key]])

    raced = []
    for rep, ctx in enumerate(contexts):
        # The last repetition deletes a little late: the child may reach region 1 first,
        # and the delete request itself then removes it.
        late = (0.0, 0.0) if rep < 2 else (0.25, 0.0)
        with concurrently(cloud, rep):
            raced.append(
                race(
                    partial(one.delete, spec.delete(ctx)),
                    partial(spec.create, three, ctx),
                    offsets=late,
                )
            )

    verdict = Verdict(cloud, settle(cloud, ledger))
    verdict.both_acknowledged(raced[0])
    for ctx, (deleted, made) in zip(contexts, raced, strict=True):
        for kind, key in spec.survivors:
            if verdict.row(kind, ctx[key]) is None:
                verdict.fail(f"{kind[1]} {ctx[key]} is gone, but nobody deleted it")
        if not deleted.ok:
            # Only a local race may refuse it (the child being applied in region 1 at that
            # moment), with a 4xx naming the field; then nothing was deleted.
            if not deleted.refused_naming(*spec.delete_refusal_names):
                verdict.fail(
                    f"the parent's delete may only be refused as a local race, 400/"
                    f"409 naming {spec.delete_refusal_names}: {deleted}"
                )
            elif verdict.row(spec.parent, ctx["parent"]) is None:
                verdict.fail(f"{spec.parent[1]} {ctx['parent']}: delete refused, yet it is gone")
            elif made.ok:
                if spec.child is APIKEY:
                    if verdict.row(APIKEY, _apikey_id(cloud, made)) is None:
                        verdict.fail(f"the key pair made by {made} is gone")
                else:
                    verdict.present_as_written(spec.child, made, spec.child[1])
            continue
        verdict.deleted(spec.parent, ctx["parent"], spec.parent[1])
        if made.ok:
            child_id = _apikey_id(cloud, made) if spec.child is APIKEY else made.id
            if child_id is None:
                verdict.fail(f"no change recorded for the acknowledged {made}")
                continue
            verdict.cascaded(
                spec.child,
                child_id,
                parent=spec.parent,
                parent_id=ctx["parent"],
                deleted_in=1,
                what=spec.child[1],
            )
        elif not (
            made.refused_naming(*spec.refusal_names)
            or (made.path.startswith("/client/api") and 400 <= made.status < 500)
        ):
            verdict.fail(
                f"making a child of a deleted parent must be refused with 400/409 "
                f"naming {spec.refusal_names}: {made}"
            )
    verdict.done(ledger)


# --- a parent renamed while a child is made elsewhere ----------------------------------------


def test_a_parent_renamed_while_a_child_is_made_elsewhere(cloud, apis, ledger, one, three):
    trees = []
    for _ in range(REPS):
        top = mk_domain(apis[0])
        trees.append((top, mk_domain(apis[0], parent=top["id"])))
    wait_present(cloud, DOMAIN[0], [d["id"] for tree in trees for d in tree])

    raced = []
    for rep, (top, middle) in enumerate(trees):
        renamer, maker = (one, three) if rep != 2 else (three, one)
        parent = middle if rep == 1 else top  # a grandchild of the renamed domain in rep 1
        new_name, child_name = uid("renamed"), uid("child")
        with concurrently(cloud, rep):
            renamed, made = race(
                partial(renamer.patch, f"/domains/{top['id']}/", name=new_name),
                partial(maker.post, "/domains/", parent=parent["id"], name=child_name),
                offsets=offsets(rep),
            )
        suffix = f"/{middle['name']}/{child_name}" if parent is middle else f"/{child_name}"
        raced.append((top, new_name, renamed, made, f"ROOT/{new_name}{suffix}"))

    verdict = Verdict(cloud, settle(cloud, ledger))
    for top, new_name, renamed, made, expected_path in raced:
        if not (renamed.ok and made.ok):
            verdict.fail(f"nothing in the policy refuses these: {renamed} / {made}")
            continue
        row = verdict.row(DOMAIN, top["id"])
        if row is None or row["name"] != new_name:
            verdict.fail(f"domain {top['id']} should be named {new_name!r}: {row}")
        verdict.present_as_written(DOMAIN, made, "subdomain")
        child = verdict.row(DOMAIN, made.id)
        if child is not None and child["path"] != expected_path:
            verdict.fail(
                f"subdomain {made.id}: path {child['path']!r}, expected "
                f"{expected_path!r} (the parent's new name)"
            )
    verdict.done(ledger)


# --- the same unique name made in two regions ------------------------------------------------


@dataclass
class Clash:
    kind: tuple[str, str]
    column: str
    setup: Callable[[Api], dict[str, str]]
    create: Callable[[Client, dict[str, str], str, int], Answer]  # (client, ctx, name, region)


def _domain_with_two_owners(api: Api) -> dict[str, str]:
    """A domain with an owner account for the project each region makes."""
    domain = mk_domain(api)["id"]
    return {
        "domain": domain,
        "owner1": mk_account(api, domain)["id"],
        "owner3": mk_account(api, domain)["id"],
    }


CLASHES = {
    "username": Clash(
        USER,
        "username",
        lambda api: {"account": mk_account(api)["id"]},
        lambda c, ctx, name, _: c.post(
            "/users/", account=ctx["account"], username=name, password=PASSWORD
        ),
    ),
    "sibling-domain": Clash(
        DOMAIN,
        "name",
        lambda api: {"parent": mk_domain(api)["id"]},
        lambda c, ctx, name, _: c.post("/domains/", parent=ctx["parent"], name=name),
    ),
    "account-in-domain": Clash(
        ACCOUNT,
        "name",
        lambda api: {"domain": mk_domain(api)["id"]},
        lambda c, ctx, name, _: c.post("/accounts/", domain=ctx["domain"], name=name, type=0),
    ),
    "project-in-domain": Clash(
        PROJECT,
        "name",
        _domain_with_two_owners,
        lambda c, ctx, name, region: c.post(
            "/projects/", domain=ctx["domain"], name=name, owner=ctx[f"owner{region}"]
        ),
    ),
}


@pytest.mark.parametrize("case", list(CLASHES))
def test_the_same_name_made_in_two_regions_keeps_both_rows(cloud, apis, ledger, one, three, case):
    spec = CLASHES[case]
    contexts = [spec.setup(apis[0]) for _ in range(REPS)]
    for ctx in contexts:
        wait_present(cloud, ACCOUNT[0], [v for k, v in ctx.items() if k.startswith("owner")])
        for key in ("account", "parent", "domain"):
            if key in ctx:
                table = ACCOUNT[0] if key == "account" else DOMAIN[0]
                wait_present(cloud, table, [ctx[key]])

    raced = []
    for rep, ctx in enumerate(contexts):
        name = uid("same")
        # One repetition with the other region's spelling in capitals: names are unique
        # case-insensitively.
        other = name.upper() if rep == 1 else name
        with concurrently(cloud, rep):
            made = race(
                partial(spec.create, one, ctx, name, 1),
                partial(spec.create, three, ctx, other, 3),
                offsets=offsets(rep),
            )
        raced.append(list(zip(made, (name, other), strict=True)))

    verdict = Verdict(cloud, settle(cloud, ledger))
    verdict.both_acknowledged([answer for answer, _ in raced[0]])
    for made in raced:
        verdict.name_clash(
            spec.kind, made, column=spec.column, field_name=spec.column, what=spec.kind[1]
        )
    verdict.done(ledger)


def test_the_same_membership_added_in_two_regions_is_kept_once(cloud, apis, ledger, one, three):
    contexts = []
    for _ in range(REPS):
        domain = mk_domain(apis[0])
        owner = mk_account(apis[0], domain["id"])
        project = mk_project(apis[0], domain["id"], owner["id"])
        member = mk_account(apis[0], domain["id"])
        contexts.append((project["id"], member["id"]))
    wait_present(cloud, PROJECT[0], [p for p, _ in contexts])
    wait_present(cloud, ACCOUNT[0], [a for _, a in contexts])

    raced = []
    for rep, (project, member) in enumerate(contexts):
        path = f"/projects/{project}/members/"
        with concurrently(cloud, rep):
            raced.append(
                race(
                    partial(one.post, path, account=member, role="admin"),
                    partial(three.post, path, account=member, role="regular"),
                    offsets=offsets(rep),
                )
            )

    verdict = Verdict(cloud, settle(cloud, ledger))
    verdict.both_acknowledged(raced[0])
    for (project, member), made in zip(contexts, raced, strict=True):
        acked = sorted((a for a in made if a.ok), key=lambda a: uuid.UUID(a.id))
        for answer in made:
            if not answer.ok and not answer.refused_naming("account"):
                verdict.fail(f"a refused membership must be 400/409 naming 'account': {answer}")
        if not acked:
            verdict.fail(f"neither region added the member: {[str(a) for a in made]}")
            continue
        verdict.present_as_written(MEMBERSHIP, acked[0], "membership (lowest UUID)")
        for loser in acked[1:]:
            if verdict.row(MEMBERSHIP, loser.id) is not None:
                verdict.fail(f"membership {loser.id} duplicates {acked[0].id} and lives on")
            if not verdict.has_override("duplicate", loser.id):
                verdict.fail(f"membership {loser.id} dropped without a 'duplicate' override")
        with db(cloud.regions[0]) as conn:
            count = conn.execute(
                "SELECT count(*) FROM identity_projectmembership "
                "WHERE project_id = %s AND account_id = %s",
                [project, member],
            ).fetchone()[0]
        if count != 1:
            verdict.fail(f"project {project} holds account {member} {count} times")
    verdict.done(ledger)


# --- local races: 4xx naming the field, never 5xx -------------------------------------------


def test_creating_an_account_while_its_domains_delete_is_applied(cloud, apis, ledger, one, three):
    domains = [mk_domain(apis[0]) for _ in range(2)]
    wait_present(cloud, DOMAIN[0], ids(domains))

    raced = []
    for domain in domains:

        def create(domain=domain) -> Answer:
            return three.post("/accounts/", domain=domain["id"], name=uid("acct"), type=0)

        deleted, made = race(
            partial(one.delete, f"/domains/{domain['id']}/?cleanup=true"),
            partial(hammer, create, until=lambda a: not a.ok),
        )
        raced.append((domain, deleted, made))

    verdict = Verdict(cloud, settle(cloud, ledger))
    for domain, deleted, made in raced:
        if not deleted.ok:
            verdict.fail(f"deleting the domain was refused: {deleted}")
            continue
        verdict.deleted(DOMAIN, domain["id"], "domain")
        if made[-1].ok:
            verdict.fail(
                f"region 3 still made accounts in domain {domain['id']} 8 s after "
                "its delete was acknowledged in region 1"
            )
        for answer in made:
            if answer.ok:
                verdict.cascaded(
                    ACCOUNT,
                    answer.id,
                    parent=DOMAIN,
                    parent_id=domain["id"],
                    deleted_in=1,
                    what="account",
                )
            elif not answer.refused_naming("domain"):
                verdict.fail(f"must be 400/409 naming 'domain': {answer}")
    verdict.done(ledger)


def test_deleting_a_domain_while_an_account_for_it_is_applied(cloud, apis, ledger, one, three):
    # Region 1 deletes (without cleanup) at moments spread over the time region 3's new
    # account takes to arrive, so some deletes meet it while it is being applied.
    delays = (0.0, 0.03, 0.06, 0.1, 0.15, 0.25)
    domains = [mk_domain(apis[0]) for _ in delays]
    wait_present(cloud, DOMAIN[0], ids(domains))

    raced = []
    for domain, delay in zip(domains, delays, strict=True):
        made, deleted = race(
            partial(three.post, "/accounts/", domain=domain["id"], name=uid("acct"), type=0),
            partial(one.delete, f"/domains/{domain['id']}/"),
            offsets=(0.0, delay),
        )
        raced.append((domain, made, deleted))

    verdict = Verdict(cloud, settle(cloud, ledger))
    for domain, made, deleted in raced:
        if not made.ok:
            verdict.fail(f"making an account in a live domain was refused: {made}")
            continue
        if deleted.ok:
            verdict.deleted(DOMAIN, domain["id"], "domain")
            verdict.cascaded(
                ACCOUNT,
                made.id,
                parent=DOMAIN,
                parent_id=domain["id"],
                deleted_in=1,
                what="account",
            )
        elif deleted.refused_naming("cleanup"):
            verdict.present_as_written(ACCOUNT, made, "account")
            if verdict.row(DOMAIN, domain["id"]) is None:
                verdict.fail(f"domain {domain['id']}: its delete was refused, yet it is gone")
        else:
            verdict.fail(f"the delete must succeed or be 400/409 naming 'cleanup': {deleted}")
    verdict.done(ledger)


def test_setting_a_password_while_the_users_delete_is_applied(cloud, apis, ledger, one, three):
    account = mk_account(apis[0])
    users = [mk_user(apis[0], account["id"]) for _ in range(2)]
    wait_present(cloud, USER[0], ids(users))

    raced = []
    for user in users:
        path = f"/users/{user['id']}/set_password/"
        deleted, changed = race(
            partial(one.delete, f"/users/{user['id']}/"),
            partial(
                hammer,
                partial(three.post, path, password=f"{PASSWORD}-{uid('x')}"),
                until=lambda a: not a.ok,
            ),
        )
        raced.append((user, deleted, changed))

    verdict = Verdict(cloud, settle(cloud, ledger))
    for user, deleted, changed in raced:
        if not deleted.ok:
            verdict.fail(f"deleting the user was refused: {deleted}")
            continue
        verdict.deleted(USER, user["id"], "user")
        if changed[-1].ok:
            verdict.fail(
                f"region 3 still set passwords of user {user['id']} 8 s after its "
                "delete was acknowledged in region 1"
            )
        for answer in changed:
            if (
                not answer.ok
                and answer.status != 404
                and not answer.refused_naming("password", "user")
            ):
                verdict.fail(f"must be 404 or 400/409 naming the field: {answer}")
        if any(a.ok for a in changed):
            verdict.update_lost_to_delete(USER, user["id"], deleted_in=1, updated_in=3)
    verdict.done(ledger)


def test_the_same_username_twice_at_once_in_one_region(cloud, apis, ledger, one):
    other = _client(cloud, apis, 1, ledger)  # its own connection, as a second person
    account = mk_account(apis[0])
    wait_present(cloud, ACCOUNT[0], [account["id"]])

    raced = []
    for _ in range(5):
        username = uid("twin")
        made = race(
            *(
                partial(c.post, "/users/", account=account["id"], username=u, password=PASSWORD)
                for c, u in ((one, username), (other, username.upper()))
            )
        )
        raced.append((username, made))

    verdict = Verdict(cloud, settle(cloud, ledger))
    for username, made in raced:
        acked = [a for a in made if a.ok]
        if len(acked) != 1:
            verdict.fail(
                f"{username}: {len(acked)} creates succeeded, not one: {[str(a) for a in made]}"
            )
            continue
        refused = next(a for a in made if not a.ok)
        if not refused.refused_naming("username"):
            verdict.fail(f"the second create must be 400/409 naming 'username': {refused}")
        verdict.present_as_written(USER, acked[0], "user")
    verdict.done(ledger)


# --- soak: writers in two regions while processes die ---------------------------------------

SOAK_SECONDS = 30
USER_FIELDS = ("username", "first_name", "last_name", "email", "timezone", "state", "account")
DOMAIN_FIELDS = ("name", "parent", "path", "network_domain")


class Writer(threading.Thread):
    """Creates, updates and deletes its own users and subdomains through one region until
    told to stop; keeps what each object should look like after its last acknowledged
    write (None: deleted)."""

    def __init__(self, client: Client, account: str, domain: str, stop: threading.Event):
        super().__init__(name=f"writer-{client.index}", daemon=True)
        self.client, self.account, self.domain, self.stop = client, account, domain, stop
        self.expected: dict[str, tuple[tuple[str, str], dict[str, Any] | None]] = {}
        self.refused: list[Answer] = []
        self.rng = random.Random(client.index)

    def _live(self, kind: tuple[str, str]) -> list[str]:
        return [k for k, (t, v) in self.expected.items() if t is kind and v is not None]

    def _keep(self, kind, answer: Answer, fields: tuple[str, ...], object_id: str | None = None):
        if not answer.ok:
            self.refused.append(answer)
        elif answer.status == 204:
            self.expected[object_id] = (kind, None)
        else:
            self.expected[answer.id] = (kind, {f: answer.data[f] for f in fields})

    def run(self) -> None:
        c = self.client
        while not self.stop.is_set():
            users, domains, roll = self._live(USER), self._live(DOMAIN), self.rng.random()
            if roll < 0.4 or len(users) < 3:
                answer = c.post(
                    "/users/", account=self.account, username=uid("soak"), password=PASSWORD
                )
                self._keep(USER, answer, USER_FIELDS)
            elif roll < 0.65:
                user = self.rng.choice(users)
                answer = c.patch(f"/users/{user}/", first_name=uid("f"), email=f"{uid('e')}@x.io")
                self._keep(USER, answer, USER_FIELDS)
            elif roll < 0.8:
                user = self.rng.choice(users)
                self._keep(USER, c.delete(f"/users/{user}/"), (), user)
            elif roll < 0.9 or not domains:
                answer = c.post("/domains/", parent=self.domain, name=uid("sd"))
                self._keep(DOMAIN, answer, DOMAIN_FIELDS)
            else:
                domain = self.rng.choice(domains)
                self._keep(DOMAIN, c.patch(f"/domains/{domain}/", name=uid("sd")), DOMAIN_FIELDS)


def test_soak_writers_in_two_regions_while_processes_are_killed(cloud, apis, ledger):
    writers, stop = [], threading.Event()
    for index in (1, 3, 1, 3):  # two writers per region: more concurrency, more writes
        api = apis[index - 1]
        domain = mk_domain(api)
        account = mk_account(api, domain["id"])
        writers.append(
            Writer(_client(cloud, apis, index, ledger), account["id"], domain["id"], stop)
        )
        writers[-1].rng = random.Random(len(writers))
    # Faults, at seconds into the soak: each kill waits until the supervisor has the
    # process back (and, for web, answering).
    restarts = []
    faults = [
        (4, lambda: restarts.append(cloud.kill(2, "web"))),
        (8, lambda: restarts.append(cloud.kill(2, "worker"))),
        (13, lambda: restarts.append(cloud.kill(3, "worker"))),
        (18, lambda: cloud.cut(1, 3)),
        (24, lambda: cloud.heal(1, 3)),
    ]
    start = time.monotonic()
    for writer in writers:
        writer.start()
    try:
        for at, fault in faults:
            time.sleep(max(0.0, at - (time.monotonic() - start)))
            fault()
        time.sleep(max(0.0, SOAK_SECONDS - (time.monotonic() - start)))
    finally:
        stop.set()
        cloud.heal()
        for writer in writers:
            writer.join(timeout=120)

    final = settle(cloud, ledger)
    verdict = Verdict(cloud, final)
    assert [(r.region, r.role, r.expected) for r in restarts] == [
        (2, "web", True),
        (2, "worker", True),
        (3, "worker", True),
    ]
    written = 0
    for writer in writers:
        for answer in writer.refused:
            verdict.fail(f"a write of the writer's own objects was refused: {answer}")
        for object_id, (kind, expected) in writer.expected.items():
            written += 1
            row = verdict.row(kind, object_id)
            if expected is None:
                verdict.deleted(kind, object_id, kind[1])
            elif row is None:
                verdict.fail(
                    f"{kind[1]} {object_id} (acknowledged by region {writer.client.index}) was lost"
                )
            else:
                differs = {
                    f: (row[COLUMNS.get(f, f)], v)
                    for f, v in expected.items()
                    if str(row[COLUMNS.get(f, f)]) != str(v)
                }
                if differs:
                    verdict.fail(f"{kind[1]} {object_id}: (now, last acknowledged) {differs}")
    assert written > 100, f"only {written} objects written in {SOAK_SECONDS}s"
    verdict.done(ledger)
