"""Are the live regions identical? Full rows of every replicated model, compared region by
region, plus the rules the data must keep in each region on its own.

What is compared is derived, not hand-listed: the registry of a running region
(`manage.py shell`, once per cloud) names every replicated model's table and key, and each
region's `information_schema` names the columns. Every column is compared except the few
that are local by design (`LOCAL_BY_DESIGN`); a column the registry sends that the checker
would skip, or one it would compare that never travels, fails the check at once, so a new
field cannot slip past unnoticed.

Rules checked in every region (`violations`): a domain's path is its parent's path, '/' and
its name; usernames are unique case-insensitively, as are sibling domain names, account and
project names in a domain, and (project, account) memberships; nothing is parked; no row
lives on under a tombstone (a deleted UUID never comes back).

`wait_converged(cloud)` polls until all of it holds, and fails with a readable diff: after
its timeout, or sooner when the cloud is quiescent (every region has pulled every peer's
whole feed and nothing changed for `stuck_after` seconds) yet still differs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.live import db

#: Columns that stay in their region by design, per table (None: every table).
LOCAL_BY_DESIGN: dict[str | None, frozenset[str]] = {
    None: frozenset({"created", "updated"}),
    "identity_user": frozenset({"last_login"}),
    "regions_region": frozenset({"is_local"}),
    # Each region's own code defines these; only name and value travel.
    "regions_setting": frozenset(
        {"category", "description", "type", "scope", "default", "choices"}
        | {"min_value", "max_value"}
    ),
    # Encrypted under each region's own key, so the ciphertexts differ by design; that the
    # secret itself is the same everywhere is what the signed-request tests show.
    "identity_apikey": frozenset({"secret_key_encrypted"}),
}
#: Rows of a table that replicate at all (region- and zone-scoped settings stay local).
ROW_FILTERS = {"regions_setting": "scope = 'global'"}
VERSIONS = "regions_objectversion"
VERSION_COLUMNS = ("model", "object_id", "wall", "counter", "origin", "deleted")

REGISTRY_SCRIPT = """
import json
from regions.federation.replication import registry
out = []
for spec in registry.registered():
    meta = spec.model._meta
    key = meta.get_field(meta.pk.name if spec.key == "pk" else spec.key)
    out.append({"label": spec.label, "table": meta.db_table, "key": key.column,
                "columns": [f.column for f in spec.fields()]})
print("REGISTRY=" + json.dumps(out))
"""


@dataclass(frozen=True)
class Table:
    label: str  # the registry's model label, as in regions_objectversion.model
    name: str
    key: str
    columns: tuple[str, ...]  # compared, key first
    where: str | None = None

    def select(self) -> str:
        where = f" WHERE {self.where}" if self.where else ""
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return f'SELECT {cols} FROM "{self.name}"{where}'


def _registry(cloud) -> list[dict[str, Any]]:
    output = cloud.regions[0].manage("shell", "-c", REGISTRY_SCRIPT)
    line = next(x for x in output.splitlines() if x.startswith("REGISTRY="))
    return json.loads(line.removeprefix("REGISTRY="))


def _columns(region, table: str) -> list[str]:
    with db(region) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
            [table],
        ).fetchall()
    return [r[0] for r in rows]


def tables(cloud) -> list[Table]:
    """The replicated tables and their compared columns (worked out once per cloud)."""
    cached = getattr(cloud, "_convergence_tables", None)
    if cached is not None:
        return cached
    problems, result = [], []
    for spec in _registry(cloud):
        name = spec["table"]
        local = LOCAL_BY_DESIGN[None] | LOCAL_BY_DESIGN.get(name, frozenset())
        per_region = [_columns(region, name) for region in cloud.regions]
        if not per_region[0]:
            problems.append(f"{spec['label']}: no table {name} in region 1")
            continue
        if any(cols != per_region[0] for cols in per_region[1:]):
            problems.append(f"{name}: the regions' schemas differ: {per_region}")
        compared = [c for c in per_region[0] if c not in local]
        travelling = {spec["key"], *spec["columns"]}
        skipped = travelling - set(compared) - LOCAL_BY_DESIGN.get(name, frozenset())
        if skipped:
            problems.append(f"{name}: replicated columns the checker would skip: {skipped}")
        stray = set(compared) - travelling
        if stray:
            problems.append(f"{name}: compared columns that do not replicate: {stray}")
        ordered = [spec["key"], *[c for c in compared if c != spec["key"]]]
        result.append(
            Table(spec["label"], name, spec["key"], tuple(ordered), ROW_FILTERS.get(name))
        )
    if problems:
        pytest.fail("convergence checker out of step with the registry:\n" + "\n".join(problems))
    cloud._convergence_tables = result
    return result


Snapshot = dict[str, dict[Any, tuple]]


def snapshot(cloud, region) -> Snapshot:
    """Every replicated row of REGION by table, keyed by its cloud-wide key, and every
    version row (under VERSIONS) keyed by (model, object_id)."""
    out: Snapshot = {}
    with db(region) as conn:
        for table in tables(cloud):
            out[table.name] = {str(row[0]): row for row in conn.execute(table.select()).fetchall()}
        cols = ", ".join(VERSION_COLUMNS)
        out[VERSIONS] = {
            (row[0], row[1]): row
            for row in conn.execute(f"SELECT {cols} FROM {VERSIONS}").fetchall()
        }
    return out


def columns_of(cloud, name: str) -> tuple[str, ...]:
    if name == VERSIONS:
        return VERSION_COLUMNS
    return next(t.columns for t in tables(cloud) if t.name == name)


def row_dict(cloud, name: str, row: tuple | None) -> dict[str, Any] | None:
    return None if row is None else dict(zip(columns_of(cloud, name), row, strict=True))


# --- the rules every region keeps on its own -------------------------------------------------

DUPLICATE_CHECKS = {
    "usernames": "SELECT lower(username), count(*) FROM identity_user GROUP BY 1",
    "sibling domain names": (
        "SELECT coalesce(parent_id::text, '-') || ' ' || lower(name), count(*) "
        "FROM identity_domain GROUP BY 1"
    ),
    "account names in a domain": (
        "SELECT domain_id::text || ' ' || lower(name), count(*) FROM identity_account GROUP BY 1"
    ),
    "project names in a domain": (
        "SELECT domain_id::text || ' ' || lower(name), count(*) FROM identity_project GROUP BY 1"
    ),
    "project memberships": (
        "SELECT project_id::text || ' ' || account_id::text, count(*) "
        "FROM identity_projectmembership GROUP BY 1"
    ),
}


def violations(cloud, region) -> dict[str, str]:
    """What breaks the data's own rules in REGION: {stable identity: description}."""
    found = {}
    with db(region) as conn:
        for d_id, path, name, parent_path in conn.execute(
            "SELECT d.id, d.path, d.name, p.path FROM identity_domain d "
            "LEFT JOIN identity_domain p ON p.id = d.parent_id "
            "WHERE (d.parent_id IS NULL AND d.path <> d.name) "
            "   OR (d.parent_id IS NOT NULL AND d.path <> p.path || '/' || d.name)"
        ):
            found[f"path {d_id}"] = (
                f"domain {d_id}: path {path!r} is not its parent's path + '/' + name "
                f"({parent_path!r} + '/' + {name!r})"
            )
        for what, sql in DUPLICATE_CHECKS.items():
            for value, count in conn.execute(f"{sql} HAVING count(*) > 1"):
                found[f"{what} {value}"] = f"{what}: {value!r} held by {count} rows"
        for model, object_id, op, wall, counter, origin, reason, attempts in conn.execute(
            "SELECT model, object_id, op, wall, counter, origin, reason, attempts "
            "FROM regions_parkedchange ORDER BY wall, counter, origin"
        ):
            found[f"parked {model} {object_id} {wall} {counter} {origin}"] = (
                f"parked: {op} {model} {object_id} from region {origin} "
                f"({attempts} retries): {reason}"
            )
        for table in tables(cloud):
            for (key,) in conn.execute(
                f'SELECT t."{table.key}"::text FROM "{table.name}" t JOIN {VERSIONS} v '
                f'ON v.model = %s AND v.object_id = t."{table.key}"::text AND v.deleted',
                [table.label],
            ):
                found[f"tombstone {table.label} {key}"] = (
                    f"{table.label} {key} is alive under a tombstone"
                )
    return found


# --- comparing regions ---------------------------------------------------------------------


def _fmt(value: Any) -> str:
    text = repr(str(value)) if value is not None else "NULL"
    return text if len(text) <= 60 else text[:57] + "...'"


def diff(cloud, snapshots: list[Snapshot], limit: int = 8) -> list[str]:
    """Readable differences between the regions' snapshots, table by table."""
    lines = []
    indexes = [r.index for r in cloud.regions]
    for name in snapshots[0]:
        keys = set().union(*(s[name] for s in snapshots))
        differing = sorted(
            (k for k in keys if len({s[name].get(k) for s in snapshots}) > 1), key=str
        )
        if not differing:
            continue
        lines.append(f"{name}: {len(differing)} row(s) differ")
        columns = columns_of(cloud, name)
        for key in differing[:limit]:
            rows = [s[name].get(key) for s in snapshots]
            absent = [i for i, row in zip(indexes, rows, strict=True) if row is None]
            if absent:
                present = [i for i in indexes if i not in absent]
                sample = next(row for row in rows if row is not None)
                lines.append(
                    f"  {key}: in regions {present}, missing in {absent}: "
                    + ", ".join(f"{c}={_fmt(v)}" for c, v in zip(columns, sample, strict=True))
                )
                continue
            for pos, column in enumerate(columns):
                values = [row[pos] for row in rows]
                if len(set(values)) > 1:
                    per_region = " ".join(
                        f"r{i}={_fmt(v)}" for i, v in zip(indexes, values, strict=True)
                    )
                    lines.append(f"  {key}: {column}: {per_region}")
        if len(differing) > limit:
            lines.append(f"  ... and {len(differing) - limit} more")
    return lines


def caught_up(cloud) -> bool:
    """Whether every region has pulled every peer's whole feed (nothing in flight)."""
    heads, cursors = {}, {}
    for region in cloud.regions:
        with db(region) as conn:
            heads[region.index] = conn.execute(
                "SELECT coalesce(max(seq), 0) FROM regions_change WHERE origin = %s",
                [region.index],
            ).fetchone()[0]
            cursors[region.index] = dict(
                conn.execute("SELECT region_id, pulled_seq FROM regions_peerlink").fetchall()
            )
    return all(
        cursors[a.index].get(b.index, 0) >= heads[b.index]
        for a in cloud.regions
        for b in cloud.regions
        if a is not b
    )


@dataclass
class State:
    snapshots: list[Snapshot]
    violations: dict[int, dict[str, str]]
    #: what an earlier failed check already reported, left out of this one
    known: dict[str, set] = field(default_factory=dict)
    elapsed: float = 0.0

    def __post_init__(self) -> None:
        for name, keys in self.known.items():
            for snap in self.snapshots:
                if name in snap:
                    snap[name] = {k: v for k, v in snap[name].items() if k not in keys}
        ignored = self.known.get("violations", set())
        for index, found in self.violations.items():
            self.violations[index] = {k: v for k, v in found.items() if k not in ignored}

    def broken(self) -> dict[int, set[str]]:
        """The violations' identities (their texts carry retry counts that keep moving)."""
        return {index: set(found) for index, found in self.violations.items()}

    @property
    def identical(self) -> bool:
        return all(s == self.snapshots[0] for s in self.snapshots[1:])

    @property
    def ok(self) -> bool:
        return self.identical and not any(self.violations.values())

    def report(self, cloud) -> str:
        lines = diff(cloud, self.snapshots)
        for index, found in self.violations.items():
            lines += [f"region {index}: {v}" for v in list(found.values())[:12]]
            if len(found) > 12:
                lines.append(f"region {index}: ... and {len(found) - 12} more")
        if self.known:
            count = sum(len(v) for v in self.known.values())
            lines.append(f"({count} differences reported by earlier checks left out)")
        return "\n".join(lines)

    def remember(self, cloud) -> None:
        """Leave what differs now out of later checks: it fails this one already."""
        known = cloud.__dict__.setdefault("_convergence_known", {})
        for name in self.snapshots[0]:
            keys = set().union(*(s[name] for s in self.snapshots))
            known.setdefault(name, set()).update(
                k for k in keys if len({s[name].get(k) for s in self.snapshots}) > 1
            )
        for found in self.violations.values():
            known.setdefault("violations", set()).update(found)

    # Reading the converged state (region 1's copy; every region holds the same).
    def row(self, cloud, table: str, key: Any) -> dict[str, Any] | None:
        return row_dict(cloud, table, self.snapshots[0][table].get(str(key)))

    def version(self, label: str, object_id: Any) -> dict[str, Any] | None:
        found = self.snapshots[0][VERSIONS].get((label, str(object_id)))
        return None if found is None else dict(zip(VERSION_COLUMNS, found, strict=True))


def state(cloud) -> State:
    return State(
        [snapshot(cloud, r) for r in cloud.regions],
        {r.index: violations(cloud, r) for r in cloud.regions},
        known={k: set(v) for k, v in getattr(cloud, "_convergence_known", {}).items()},
    )


def wait_converged(cloud, *, timeout: float = 120, stuck_after: float = 25) -> State:
    """Poll until every region holds the same replicated rows and keeps every rule; fails
    with the differences after TIMEOUT seconds, or after STUCK_AFTER seconds of a quiescent
    cloud (all feeds pulled, nothing changing) that still differs. Differences an earlier
    failed check reported are left out (each failure is reported once, by its own test)."""
    start = time.monotonic()
    last, still_since = None, time.monotonic()
    while True:
        now = state(cloud)
        if now.ok:
            now.elapsed = time.monotonic() - start
            return now
        if last is None or now.snapshots != last.snapshots or now.broken() != last.broken():
            last, still_since = now, time.monotonic()
        waited = time.monotonic() - start
        stuck = time.monotonic() - still_since > stuck_after and caught_up(cloud)
        if waited > timeout or stuck:
            why = (
                f"quiescent for {stuck_after:.0f}s with every feed pulled"
                if stuck
                else f"still not converged after {timeout:.0f}s"
            )
            now.remember(cloud)
            pytest.fail(
                f"regions did not converge ({why}):\n{now.report(cloud)}\n"
                f"overrides recorded so far: {overrides_summary(cloud)}",
                pytrace=False,
            )
        time.sleep(0.3)


# --- what the regions recorded about conflicts ----------------------------------------------


@dataclass(frozen=True)
class OverrideRow:
    region: int
    kind: str
    model: str
    object_id: str
    overridden_origin: int
    winner_origin: int
    detail: str


def overrides(cloud, object_ids: Iterable[str] | None = None) -> list[OverrideRow]:
    """Override rows of every region (they are local bookkeeping), optionally only those
    about OBJECT_IDS."""
    ids = None if object_ids is None else [str(i) for i in object_ids]
    rows = []
    for region in cloud.regions:
        with db(region) as conn:
            sql = (
                "SELECT kind, model, object_id, overridden_origin, winner_origin, detail "
                "FROM regions_override"
            )
            found = (
                conn.execute(sql).fetchall()
                if ids is None
                else conn.execute(sql + " WHERE object_id = ANY(%s)", [ids]).fetchall()
            )
        rows += [OverrideRow(region.index, *row) for row in found]
    return rows


def overrides_summary(cloud) -> str:
    counts: dict[str, int] = {}
    for row in overrides(cloud):
        counts[row.kind] = counts.get(row.kind, 0) + 1
    return ", ".join(f"{k}={n}" for k, n in sorted(counts.items())) or "none"


@dataclass(frozen=True)
class ChangeRow:
    region: int
    seq: int
    op: str
    version: tuple[int, int, int]
    payload: dict[str, Any]


def changes(region, model: str, object_id: str) -> list[ChangeRow]:
    """REGION's own changes of one object (its feed), oldest first."""
    with db(region) as conn:
        rows = conn.execute(
            "SELECT seq, op, wall, counter, origin, payload FROM regions_change "
            "WHERE origin = %s AND model = %s AND object_id = %s ORDER BY seq",
            [region.index, model, str(object_id)],
        ).fetchall()
    return [ChangeRow(region.index, s, op, (w, c, o), p) for s, op, w, c, o, p in rows]
