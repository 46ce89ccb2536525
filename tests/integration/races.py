"""Machinery of the conflict tests: clients whose every answer is recorded (a ledger of what
was acknowledged), operations fired at the same moment in two regions, a local write
hammered while a peer's change is being applied, network partitions, and the checks that
hold an acknowledged write to the conflict policy once the regions have converged."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from tests.integration import convergence
from tests.integration.convergence import State, changes, overrides
from tests.live import PASSWORD, db

ROOT_DOMAIN_ID = "00000000-0000-4000-8000-000000000001"

# table and registry label of each identity model
DOMAIN = ("identity_domain", "identity.domain")
ACCOUNT = ("identity_account", "identity.account")
USER = ("identity_user", "identity.user")
PROJECT = ("identity_project", "identity.project")
MEMBERSHIP = ("identity_projectmembership", "identity.projectmembership")
APIKEY = ("identity_apikey", "identity.apikey")

#: REST field -> column, where they differ
COLUMNS = {
    "parent": "parent_id",
    "domain": "domain_id",
    "account": "account_id",
    "owner": "owner_id",
    "project": "project_id",
    "user": "user_id",
}


def _log_size(region) -> int:
    path = region.workdir / "web.log"
    return path.stat().st_size if path.exists() else 0


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --- answers and the ledger ------------------------------------------------------------------


@dataclass
class Answer:
    region: int
    method: str
    path: str
    sent: dict[str, Any] | None
    status: int  # 0: no answer at all (the connection failed)
    data: Any
    started: float
    ended: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def id(self) -> str:
        return str(self.data["id"])

    def names(self, *fields: str) -> bool:
        """Whether the answer's message names one of FIELDS (as a key of DRF's error body,
        or in its text)."""
        if isinstance(self.data, dict) and any(f in self.data for f in fields):
            return True
        return any(f in str(self.data) for f in fields)

    def refused_naming(self, *fields: str) -> bool:
        """The answer to a lost local race: 400 or 409 with a message naming the field."""
        return self.status in (400, 409) and self.names(*fields)

    def __str__(self) -> str:
        body = str(self.data)
        if body.lstrip().startswith(("<!DOCTYPE", "<html")):
            body = "(an HTML error page)"
        body = body if len(body) < 300 else body[:300] + "..."
        return f"region {self.region}: {self.method} {self.path} -> {self.status} {body}"


class Ledger:
    """Every answer of every client of one test (and where each region's web log stood
    when it began, to name the exceptions behind 5xx answers)."""

    def __init__(self, cloud=None) -> None:
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self.cloud = cloud
        self._log_offsets = {
            r.index: _log_size(r) for r in (cloud.regions if cloud is not None else [])
        }

    def exceptions(self) -> list[str]:
        """The last line of every traceback the regions' web servers logged since."""
        found = []
        for region in self.cloud.regions if self.cloud is not None else []:
            path = region.workdir / "web.log"
            if not path.exists():
                continue
            with path.open("rb") as log:
                log.seek(self._log_offsets.get(region.index, 0))
                lines = log.read().decode(errors="replace").splitlines()
            in_traceback = False
            for line in lines:
                if line.startswith("Traceback"):
                    in_traceback = True
                elif in_traceback and line and not line.startswith((" ", "\t")):
                    in_traceback = False
                    if "During handling" in line or "The above exception" in line:
                        continue
                    entry = f"region {region.index}: {line[:300]}"
                    if entry not in found:
                        found.append(entry)
        return found

    def add(self, answer: Answer) -> Answer:
        with self._lock:
            self.answers.append(answer)
        return answer

    def server_errors(self) -> list[Answer]:
        return [a for a in self.answers if a.status >= 500 or a.status == 0]

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for answer in self.answers:
            counts[answer.status] = counts.get(answer.status, 0) + 1
        return dict(sorted(counts.items()))


class Client:
    """One region's REST API (as the root admin), answers recorded in a ledger, not asserted.
    One requests.Session per client, so each racing thread has its own."""

    def __init__(self, cloud, token_headers: dict[str, str], index: int, ledger: Ledger) -> None:
        self.index = index
        self.base = cloud.region(index).url
        self.ledger = ledger
        self.http = requests.Session()
        self.http.headers.update(token_headers)
        self._cloudstack: tuple[requests.Session, str] | None = None

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Answer:
        started = time.monotonic()
        try:
            response = self.http.request(method, f"{self.base}/api{path}", json=body, timeout=60)
            status = response.status_code
            try:
                data = response.json() if response.content else None
            except ValueError:
                data = response.text[:2000]
        except requests.RequestException as error:
            status, data = 0, repr(error)
        return self.ledger.add(
            Answer(self.index, method, path, body, status, data, started, time.monotonic())
        )

    def post(self, path: str, **body: Any) -> Answer:
        return self.request("POST", path, body)

    def patch(self, path: str, **body: Any) -> Answer:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> Answer:
        return self.request("DELETE", path)

    def register_keys(self, user_id: str) -> Answer:
        """CloudStack's registerUserKeys for USER_ID (the API key pairs have no REST
        endpoint), in a `login` session of the admin; the answer's data is
        {"apikey": ..., "secretkey": ...} when it succeeds."""
        url = f"{self.base}/client/api"
        if self._cloudstack is None:
            session = requests.Session()
            login = session.post(
                url,
                data={
                    "command": "login",
                    "username": "admin",
                    "password": PASSWORD,
                    "response": "json",
                },
                timeout=30,
            )
            login.raise_for_status()
            self._cloudstack = (session, login.json()["loginresponse"]["sessionkey"])
        session, key = self._cloudstack
        started = time.monotonic()
        sent = {"command": "registerUserKeys", "id": user_id}
        try:
            response = session.post(
                url, data={**sent, "sessionkey": key, "response": "json"}, timeout=60
            )
            status = response.status_code
            try:
                data = response.json()
                data = data.get("registeruserkeysresponse", data)
                if isinstance(data, dict) and "userkeys" in data:
                    data = data["userkeys"]
            except ValueError:
                data = response.text[:2000]
        except requests.RequestException as error:
            status, data = 0, repr(error)
        return self.ledger.add(
            Answer(
                self.index,
                "POST",
                "/client/api registerUserKeys",
                sent,
                status,
                data,
                started,
                time.monotonic(),
            )
        )


# --- firing operations at the same moment ---------------------------------------------------


def race(*calls: Callable[[], Any], offsets: tuple[float, ...] = ()) -> list[Any]:
    """Run CALLS in threads released together by one barrier (each after its offset in
    seconds, if given); returns their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(position: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            if position < len(offsets) and offsets[position]:
                time.sleep(offsets[position])
            results[position] = call()
        except BaseException as error:  # a thread's failure is the test's
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a racing request never returned"
    if failures:
        raise failures[0]
    return results


def hammer(
    call: Callable[[], Answer],
    *,
    until: Callable[[Answer], bool],
    seconds: float = 8.0,
    pause: float = 0.01,
) -> list[Answer]:
    """Repeat CALL until an answer satisfies UNTIL (or SECONDS pass): a local write kept
    going through the moment a peer's conflicting change is applied here."""
    answers = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answers.append(call())
        if until(answers[-1]):
            break
        time.sleep(pause)
    return answers


@contextlib.contextmanager
def partition(cloud, a: int, b: int) -> Iterator[None]:
    """Regions A and B cannot reach each other inside the block (so writes made in both are
    concurrent for sure); healed on the way out."""
    cloud.cut(a, b)
    try:
        yield
    finally:
        cloud.heal(a, b)


def wait_present(cloud, table: str, ids: list[str], timeout: float = 60) -> None:
    """Until every region holds the rows IDS of TABLE (a test's own setup replicated)."""
    deadline = time.monotonic() + timeout
    for region in cloud.regions:
        while True:
            with db(region) as conn:
                found = conn.execute(
                    f"SELECT count(*) FROM {table} WHERE id::text = ANY(%s)", [ids]
                ).fetchone()[0]
            if found == len(ids):
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{table}: {len(ids) - found} of {ids} never reached region {region.index}",
                    pytrace=False,
                )
            time.sleep(0.1)


def settle(cloud, ledger: Ledger) -> State:
    """Wait for the regions to converge; fail on any 5xx (or unanswered) request, reporting
    both when both went wrong."""
    errors = ledger.server_errors()
    listing = "\n".join(str(a) for a in errors[:10])
    if errors:
        listing += "\nexceptions the regions logged meanwhile:\n" + (
            "\n".join(ledger.exceptions()[:10]) or "(none found in the web logs)"
        )
    try:
        final = convergence.wait_converged(cloud)
    except pytest.fail.Exception as failure:
        if errors:
            pytest.fail(
                f"{len(errors)} request(s) answered 5xx or not at all:\n{listing}\n\n{failure}",
                pytrace=False,
            )
        raise
    if errors:
        pytest.fail(
            f"{len(errors)} request(s) answered 5xx or not at all:\n{listing}", pytrace=False
        )
    return final


# --- holding acknowledged writes to the policy ----------------------------------------------


@dataclass
class Verdict:
    """What broke the policy, collected so that one test reports all of it at once."""

    cloud: Any
    final: State
    problems: list[str] = field(default_factory=list)
    #: acknowledged writes the policy overrode, by how they were covered (printed: -s)
    covered: dict[str, int] = field(default_factory=dict)

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def cover(self, how: str) -> None:
        self.covered[how] = self.covered.get(how, 0) + 1

    def done(self, ledger: Ledger | None = None) -> None:
        statuses = ledger.statuses() if ledger else {}
        print(f"\n  answers by status {statuses}; overridden writes covered by {self.covered}")
        if self.problems:
            tail = f"\nanswers by status: {ledger.statuses()}" if ledger else ""
            pytest.fail(
                f"{len(self.problems)} violation(s) of the conflict policy:\n- "
                + "\n- ".join(self.problems)
                + tail,
                pytrace=False,
            )

    def both_acknowledged(self, answers: list[Answer]) -> None:
        """Writes made while their regions could not reach each other: neither region could
        know of the other's write, so nothing in the policy refuses either (and a test
        whose conflict never happened proves nothing)."""
        for answer in answers:
            if not answer.ok:
                self.fail(f"refused although made during a partition: {answer}")

    def row(self, kind: tuple[str, str], object_id: str) -> dict[str, Any] | None:
        return self.final.row(self.cloud, kind[0], object_id)

    def has_override(self, kind: str, object_id: str) -> bool:
        found = any(o.kind == kind for o in overrides(self.cloud, [object_id]))
        if found:
            self.cover(kind)
        return found

    # acknowledged as written
    def present_as_written(self, kind: tuple[str, str], answer: Answer, what: str) -> None:
        row = self.row(kind, answer.id)
        if row is None:
            self.fail(
                f"{what} {answer.id} acknowledged by region {answer.region} is gone, "
                "and nothing in the policy deletes it"
            )
            return
        for name, value in (answer.sent or {}).items():
            column = COLUMNS.get(name, name)
            if column in row and name != "password" and str(row[column]) != str(value):
                self.fail(
                    f"{what} {answer.id}: {column} is {row[column]!r}, but region "
                    f"{answer.region} acknowledged {value!r}"
                )

    # deletes are final
    def deleted(self, kind: tuple[str, str], object_id: str, what: str) -> None:
        if self.row(kind, object_id) is not None:
            self.fail(f"{what} {object_id} was deleted (acknowledged) but lives on")
        version = self.final.version(kind[1], object_id)
        if version is None or not version["deleted"]:
            self.fail(f"{what} {object_id}: no tombstone in its version row ({version})")

    def update_lost_to_delete(
        self, kind: tuple[str, str], object_id: str, *, deleted_in: int, updated_in: int
    ) -> None:
        """An acknowledged update of a row deleted concurrently elsewhere: it lost (the row
        is gone); if its clock was ahead of the delete's, some region says so with a
        'delete_wins' override."""
        delete = next(
            (
                c
                for c in changes(self.cloud.region(deleted_in), kind[1], object_id)
                if c.op == "delete"
            ),
            None,
        )
        upserts = [
            c
            for c in changes(self.cloud.region(updated_in), kind[1], object_id)
            if c.op == "upsert"
        ]
        if delete is None:
            self.fail(
                f"{kind[1]} {object_id}: region {deleted_in} acknowledged its delete "
                "but has no delete in its change log"
            )
            return
        newest = max((c.version for c in upserts), default=None)
        would_have_won = newest is not None and newest > delete.version
        if not would_have_won:
            self.cover("delete_wins (older clock, no override needed)")
        if would_have_won and not self.has_override("delete_wins", object_id):
            self.fail(
                f"{kind[1]} {object_id}: the update acknowledged by region {updated_in} "
                f"(version {newest}) would have won on its clock over the delete made in "
                f"region {deleted_in} (version {delete.version}), yet no region recorded "
                "a 'delete_wins' override"
            )

    # a parent deleted while a child was made elsewhere
    def cascaded(
        self,
        child: tuple[str, str],
        child_id: str,
        *,
        parent: tuple[str, str],
        parent_id: str,
        deleted_in: int,
        what: str,
    ) -> None:
        """CHILD_ID (acknowledged) must be gone with its parent; covered either by the
        parent's own delete request (REGION deleted it, children first: its delete precedes
        the parent's in that region's change log) or by a 'cascade' override."""
        if self.row(child, child_id) is not None:
            self.fail(
                f"{what} {child_id} survived the delete of its parent {parent[1]} "
                f"{parent_id} (deleted in region {deleted_in})"
            )
        region = self.cloud.region(deleted_in)
        parent_delete = [c for c in changes(region, parent[1], parent_id) if c.op == "delete"]
        child_delete = [c for c in changes(region, child[1], child_id) if c.op == "delete"]
        by_request = parent_delete and child_delete and child_delete[0].seq < parent_delete[0].seq
        if by_request:
            self.cover("the parent's own delete request")
        elif not self.has_override("cascade", child_id):
            self.fail(
                f"{what} {child_id} (acknowledged) was deleted with its parent "
                f"{parent_id}, but no region recorded a 'cascade' override"
            )

    # the same unique name made in two regions at once
    def name_clash(
        self,
        kind: tuple[str, str],
        made: list[tuple[Answer, str]],
        *,
        column: str,
        field_name: str,
        what: str,
    ) -> None:
        """MADE: (answer, name sent) of each create. Both acknowledged: both rows live, the
        lower UUID keeps the name, the other is `<name>-<its uuid's first 8 hex>`, with a
        'name_clash' override. One acknowledged: it keeps its name, the other was refused
        naming the field."""
        acked = [(a, name) for a, name in made if a.ok]
        for answer, _ in made:
            if not answer.ok and not answer.refused_naming(field_name):
                self.fail(
                    f"{what}: a refused create must be 400/409 naming {field_name!r}: {answer}"
                )
        if not acked:
            self.fail(f"{what}: neither region made the row: {[str(a) for a, _ in made]}")
            return
        acked.sort(key=lambda pair: uuid.UUID(pair[0].id))
        (keeper, kept_name), losers = acked[0], acked[1:]
        row = self.row(kind, keeper.id)
        if row is None or row[column] != kept_name:
            self.fail(
                f"{what} {keeper.id} (lowest UUID) should keep {kept_name!r}: "
                f"{row and row[column]!r}"
            )
        for loser, name in losers:
            row = self.row(kind, loser.id)
            expected = f"{name}-{loser.id.replace('-', '')[:8]}"
            if row is None:
                self.fail(
                    f"{what} {loser.id} (acknowledged by region {loser.region}) is gone; "
                    f"it should live on as {expected!r}"
                )
            elif row[column] != expected:
                self.fail(
                    f"{what} {loser.id} (higher UUID) should be renamed {expected!r}, "
                    f"is {row[column]!r}"
                )
            if not self.has_override("name_clash", loser.id):
                self.fail(f"{what} {loser.id}: renamed without a 'name_clash' override")
