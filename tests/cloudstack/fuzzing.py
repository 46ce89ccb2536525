"""Hypothesis strategies for the CloudStack API fuzz test (test_fuzz.py): parameter values
by declared type and name, unknown parameters, and requests on the wire (both signature
versions or a session, GET or POST, urlencoded or multipart, JSON or XML).

Requests are signed over what the server will read: the raw query string and body are
parsed the way Django parses them (first value of a name wins, as in CloudStack), so odd
encodings and stray bytes still reach the command instead of failing the signature.
"""

from __future__ import annotations

import codecs
import datetime
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

from django.http import QueryDict
from hypothesis import strategies as st

from portal.cloudstack.registry import Param
from tests.cloudstack.conftest import sign

#: parameter names the API layer itself reads; unknown parameters never take these
RESERVED = frozenset(
    {"command", "response", "apikey", "signature", "signatureversion", "expires", "sessionkey"}
)
#: the answers a CloudStack endpoint may give (HTTP status = errorcode; 429: a throttled
#: sign-in); 530, an internal error, is always a bug
CLOUDSTACK_CODES = frozenset({200, 401, 405, 429, 431, 432, 531, 536})


@dataclass(frozen=True)
class Pools:
    """What exists in the test's database, so values can name real objects."""

    #: the ids of each kind of object: "domain", "account", "user", "project", "zone", "pod",
    #: "cluster", "host", "job", "role"
    #: "cluster", "storagepool", "job", "role"
    #: "cluster", "ip_range", "dedication", "job", "role"
    ids: Mapping[str, Sequence[str]]
    names: Sequence[str]
    region_ids: Sequence[int]
    settings: Sequence[str]


# --- values --------------------------------------------------------------------------------

_CONTROL = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)]
_ODD = [
    "", " ", "  \u00a0", "\u2028", "\ufeff", "\ufffe", "\uffff", "\U0010ffff", "\u202e",
    "null", "None", "undefined", "NaN", "-", "+", "0", "-1", "%", "%00", "%zz", "&", "=",
    "a=b&c=d", "<x/>", "]]>", "&amp;", "'", '"', "' OR 1=1 --", "../../etc/passwd", "\\",
    "${jndi:ldap://x}", "{{7*7}}", "\u0130", "\u00df", "\u2126", "e\u0301", "\U0001f600",
    "\U00020000", "\ud7ff", "\ue000",
]  # fmt: skip


def _weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of CHOICES, each drawn about WEIGHT times as often as a weight of 1."""
    return st.one_of(*[strategy for weight, strategy in choices for _ in range(weight)])


# Text without control characters (those stop a request at the API layer; they get a share
# of their own, so most examples reach the commands).
_printable = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
_astral = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, codec="utf-8")
fresh_names = st.from_regex(r"\A[a-z][a-z0-9-]{0,14}[a-z0-9]\Z")
with_control = st.builds(
    lambda head, ctl, tail: head + ctl + tail,
    st.text(_printable, max_size=4),
    st.sampled_from(_CONTROL),
    st.text(_printable, max_size=4),
)
text = _weighted(
    (2, st.text(_printable, max_size=24)),
    (2, st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=24)),
    (1, st.text(_astral, min_size=1, max_size=6)),
    (2, st.sampled_from(_ODD)),
    (1, fresh_names),
    (
        1,
        st.builds(
            lambda unit, size: unit * size,
            st.sampled_from(["a", "\u00e9", "\U0001f600", "x-", " ", "9"]),
            st.sampled_from([64, 65, 100, 101, 150, 151, 255, 256, 1024, 1025, 4097, 70000]),
        ),
    ),
)
#: any text, now and then with a control character
any_text = _weighted((19, text), (1, with_control))

_JAVA_INT, _JAVA_LONG = 2**31, 2**63
_edge_numbers = st.sampled_from(
    [
        0, 1, -1, 2, 500, 501, _JAVA_INT - 1, _JAVA_INT, -_JAVA_INT, -_JAVA_INT - 1,
        _JAVA_LONG - 1, _JAVA_LONG, -_JAVA_LONG, -_JAVA_LONG - 1, 10**18, 10**30,
    ]
)  # fmt: skip
numbers = st.one_of(st.integers(-3, 600), _edge_numbers, st.integers())
number_text = st.one_of(
    numbers.map(str),
    numbers.map(lambda n: f"+{n}" if n >= 0 else f"-0{-n}"),
    numbers.map(lambda n: f" {n} "),
    st.sampled_from(
        ["1_000", "1e3", "0x10", "1.0", "1.", "--1", "+-1", "\u0661\u0662", "\uff11", "1\u00a0",
         "9" * 30, "9" * 5000, "-" + "9" * 19, "\u00b2"]
    ),
)  # fmt: skip


#: the kind of object a uuid parameter names, by parameter, else by the command's noun
_ID_KINDS = {"domainid": "domain", "parentdomainid": "domain", "zoneid": "zone", "jobid": "job",
             "roleid": "role", "podid": "pod", "clusterid": "cluster",
             "hostid": "host"}  # fmt: skip
_NOUNS = [("asyncjob", "job"), ("user", "user"), ("account", "account"), ("domain", "domain"),
          ("project", "project"), ("zone", "zone"), ("pod", "pod"),
          ("cluster", "cluster"), ("host", "host"), ("storagepool", "storagepool"),
          ("storagemaintenance", "storagepool"), ("vlaniprange", "ip_range"),
          ("guestvlanrange", "dedication")]  # fmt: skip


def _id_kind(param: str, command: str) -> str | None:
    if param in _ID_KINDS:
        return _ID_KINDS[param]
    return next((kind for noun, kind in _NOUNS if noun in command.lower()), None)


def uuid_text(pools: Pools, kind: str | None = None) -> st.SearchStrategy[str]:
    """Ids: mostly of objects of KIND, some of any object, in odd spellings, malformed."""
    every = [i for ids in pools.ids.values() for i in ids]
    known = st.sampled_from(list(pools.ids.get(kind or "", ())) or every)
    return _weighted(
        (10, known),
        (2, st.sampled_from(every)),
        (1, st.uuids().map(str)),
        (1, known.map(str.upper)),
        (1, known.map(lambda u: "{" + u + "}")),
        (1, known.map(lambda u: "urn:uuid:" + u)),
        (1, known.map(lambda u: u.replace("-", ""))),
        (1, known.map(lambda u: f" {u} ")),
        (1, known.map(lambda u: u[:-1])),
        (1, st.sampled_from([str(uuid.UUID(int=0)), "not-a-uuid", "1", "-1", "ROOT", "*", ""])),
    )


booleans = st.sampled_from(
    ["true", "false", "TRUE", "False", " true ", "1", "0", "yes", "no", "on", "t", "", "tru"]
)

# Values that mean something for parameters of a given name.
_BY_NAME: dict[str, list[str]] = {
    "password": ["correct-horse-battery-9", "short", "password", "12345678901234", "Zz9!" * 70],
    "currentpassword": ["correct-horse-battery-9", "wrong-password-11"],
    "email": ["alice@example.com", "not-an-email", "a@b", "@", "x" * 300 + "@example.com"],
    "timezone": ["UTC", "Europe/Paris", "Mars/Olympus", "utc", "GMT+1", "../../etc/passwd"],
    "networktype": ["Basic", "Advanced", "advanced", " BASIC ", "Hybrid"],
    "allocationstate": ["Enabled", "Disabled", "enabled", "Deleted"],
    "dns1": ["8.8.8.8", "::1", "2001:db8::1", "999.1.1.1", "8.8.8", "localhost"],
    "guestcidraddress": ["10.1.0.0/16", "10.1.0.0/33", "10.1.0.1/16", "fe80::/64", "10.0.0.0"],
    "endpoint": [
        "http://127.0.0.1:8001",
        "https://west.example",
        "ftp://x",
        "http://",
        "http://a:99999",
        "javascript:alert(1)",
        "http://[::1]:80",
        "http://u:p@h.example",
        "http://[::1",
    ],
    "networkdomain": ["cloud.example", "-bad.example", "a..b", "x" * 64 + ".example"],
    "state": ["enabled", "disabled", "locked", "Active", "Suspended"],
    "scope": ["global", "region", "zone", "account"],
    "category": ["Advanced", "Alert", "Usage", "Secure"],
    "value": ["1", "0", "-5", "true", "false", "1e9", "2147483648", "0.5", "NaN", "inf", "x"],
    "accounttype": ["0", "1", "2", "3", "4", "-1"],
    "level": ["0", "1", "2", "9"],
}
_BY_NAME["dns2"] = _BY_NAME["internaldns1"] = _BY_NAME["internaldns2"] = _BY_NAME["dns1"]
_BY_NAME["gateway"] = _BY_NAME["startip"] = _BY_NAME["endip"] = [
    "10.9.0.1", "10.9.0.10", "10.9.0.0", "10.9.0.255", "10.9.1.10", "10.9.0", "fd00::1", "",
]  # fmt: skip
_BY_NAME["hypervisor"] = ["KVM", "kvm", "Simulator", "XenServer", "VMware", ""]
_BY_NAME["clustertype"] = ["CloudManaged", "cloudmanaged", "ExternalManaged", ""]
_BY_NAME["arch"] = ["x86_64", "X86_64", "aarch64", ""]
_BY_NAME["url"] = ["http://sim/h9?cpucore=2", "http://sim/h0", "http://sim/h?memory=x",
                   "test:///default", "qemu:///system", "xen:///system", ""]  # fmt: skip
_BY_NAME["vlan"] = ["100", "vlan://100", "untagged", "0", "4095", "abc", "100-199,300-349",
                    "199-100", "1-4094", "9" * 40, ""]  # fmt: skip
_BY_NAME["vlanrange"] = _BY_NAME["guestvlanrange"] = [
    "100-109", "150-159", "1-4094", "109-100", "x", "0-5", "100", "",
]  # fmt: skip
_BY_NAME["netmask"] = ["255.255.255.0", "255.255.0.0", "255.0.255.0", "0.0.0.0", "10.9.0.1"]
_BY_NAME["url"] = [
    "nfs://10.9.0.5/export/a", "nfs://10.9.0.5:/export/a", "SharedMountPoint:///mnt/a",
    "file:///var/a", "rbd://mon/pool", "nfs://10.9.0.5", "nfs:///export", "nfs://[::1/x",
    "nfs://h:99999/x", "/export", "",
]  # fmt: skip
_BY_NAME["scope"] = [*_BY_NAME["scope"], "CLUSTER", "cluster", "ZONE", "host"]
_BY_NAME["tags"] = ["ssd", "ssd, fast,SSD", " , ", "x" * 300]

# Values a command accepts, so that examples also get past validation and change things.
_VALID: dict[str, st.SearchStrategy[str]] = {
    "password": st.just("correct-horse-battery-9"),
    "currentpassword": st.just("correct-horse-battery-9"),
    "email": fresh_names.map(lambda name: f"{name}@example.com"),
    "timezone": st.sampled_from(["UTC", "Europe/Paris", "America/New_York"]),
    "networktype": st.sampled_from(["Basic", "Advanced"]),
    "allocationstate": st.sampled_from(["Enabled", "Disabled"]),
    "dns1": st.sampled_from(["8.8.8.8", "2001:db8::1"]),
    "guestcidraddress": st.sampled_from(["10.2.0.0/16", ""]),
    "endpoint": fresh_names.map(lambda name: f"https://{name}.example"),
    "networkdomain": st.sampled_from(["cloud.example", ""]),
    "accounttype": st.sampled_from(["0", "2"]),
    "value": st.sampled_from(["1", "10", "true", "false"]),
    "page": st.just("1"),
    "pagesize": st.sampled_from(["1", "20", "-1"]),
}
_VALID["dns2"] = _VALID["internaldns1"] = _VALID["internaldns2"] = _VALID["dns1"]
# a pod's subnet, and a range of it next to the fuzz world's pod's (10.9.0.10-20)
_VALID["gateway"] = st.just("10.9.0.1")
_VALID["netmask"] = st.just("255.255.255.0")
_VALID["startip"] = st.sampled_from(["10.9.0.30", "10.9.0.40"])
_VALID["endip"] = st.sampled_from(["10.9.0.50", ""])
# a cluster's
_VALID["hypervisor"] = st.sampled_from(["KVM", "Simulator"])
_VALID["clustertype"] = st.just("CloudManaged")
_VALID["arch"] = st.just("x86_64")
# a host's
_VALID["url"] = st.sampled_from(["http://sim/h8?cpucore=8", "http://sim/h9"])
# a storage pool's: a share of its own, of some size
_VALID["url"] = fresh_names.map(lambda name: f"nfs://10.9.0.5/export/{name}")
_VALID["capacitybytes"] = st.sampled_from(["1099511627776", "1"])
# a public IP range's and a zone's guest VLANs
_VALID["vlan"] = st.sampled_from(["2999", ""])
_VALID["vlanrange"] = _VALID["guestvlanrange"] = st.just("110-119")


def valid_value(param: Param, pools: Pools, command: str = "") -> st.SearchStrategy[str]:
    """A value PARAM of COMMAND accepts (an id of the right kind of object, a fresh name)."""
    if param.name in _VALID:
        return _VALID[param.name]
    if param.type == "uuid":
        kind = _id_kind(param.name, command)
        return st.sampled_from(list(pools.ids.get(kind or "", ())) or ["none"])
    if param.type in ("integer", "long"):
        return st.sampled_from([str(i) for i in pools.region_ids] + ["3", "4"])
    if param.type == "boolean":
        return st.sampled_from(["true", "false"])
    if "Configuration" in command and param.name == "name":
        return st.sampled_from(list(pools.settings))
    return _weighted((2, fresh_names), (1, st.sampled_from(list(pools.names))))


def param_value(param: Param, pools: Pools, command: str = "") -> st.SearchStrategy[str]:
    """Values for PARAM of COMMAND: meaningful ones, well-formed ones of its type, malformed
    ones, any text."""
    if param.type == "uuid":
        typed = uuid_text(pools, _id_kind(param.name, command))
    elif param.type in ("integer", "long"):
        typed = number_text
        if param.name == "id":  # regions are numbered
            typed = _weighted((3, st.sampled_from([str(i) for i in pools.region_ids])), (1, typed))
    elif param.type == "boolean":
        typed = booleans
    elif param.type == "list":
        typed = st.lists(text, max_size=4).map(",".join)
    elif "Configuration" in command and param.name == "name":
        typed = st.sampled_from(list(pools.settings))
    else:
        typed = _weighted((1, st.sampled_from(list(pools.names))), (1, fresh_names))
    choices = [(6, typed), (2, any_text)]
    if param.name in _BY_NAME:
        choices.append((6, st.sampled_from(_BY_NAME[param.name])))
    if param.type == "string":
        choices.append((1, st.one_of(number_text, booleans, uuid_text(pools))))
    else:
        choices.append((1, st.sampled_from(list(pools.names))))
    return _weighted(*choices)


def _cased(name: str) -> st.SearchStrategy[str]:
    """NAME as sent: parameter names are case-insensitive in CloudStack."""
    return st.sampled_from([name, name, name, name.upper(), name.capitalize()])


_unknown_name = st.one_of(
    st.sampled_from(
        ["details[0].key", "details[0].value", "tags[0].key", "tags[1].value", "projectid",
         "domain", "zonename", "isrecursive", "listall", "details[x]", "a[", "]", "x.y"]
    ),
    st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=12),
    st.text(_printable, min_size=1, max_size=8),
).filter(lambda name: name.lower() not in RESERVED)  # fmt: skip


@st.composite
def parameters(
    draw: Any, params: Sequence[Param], pools: Pools, command: str = ""
) -> list[tuple[str, str]]:
    """A parameter list for COMMAND, which declares PARAMS: mostly its own, some unknown.
    Half the lists are mostly valid values, so that commands also succeed now and then."""
    pairs = []
    sane = draw(st.booleans())
    for param in params:
        if draw(st.integers(0, 99)) < (95 if param.required else 40):
            if sane and draw(st.integers(0, 9)) > 0:
                value = draw(valid_value(param, pools, command))
            else:
                value = draw(param_value(param, pools, command))
            pairs.append((draw(_cased(param.name)), value))
    if draw(st.integers(0, 3)) == 0:
        pairs += draw(st.lists(st.tuples(_unknown_name, any_text), min_size=1, max_size=3))
    if pairs and draw(st.integers(0, 9)) == 0:  # a name twice: the first value counts
        pairs.append((pairs[0][0], draw(any_text)))
    return pairs


# --- requests on the wire ------------------------------------------------------------------


@dataclass
class Credentials:
    """How an actor authenticates: a key pair, and a client already signed in by `login`."""

    api_key: str
    secret_key: str
    session_client: Any
    session_key: str


@dataclass
class Wire:
    """One HTTP request to /client/api, and the parameters the server will read from it."""

    method: str
    query: str
    body: bytes | dict[str, str] | None = None
    content_type: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    auth: str = "v2"
    session: bool = False

    @property
    def wants_json(self) -> bool:
        value = next((v for k, v in self.params.items() if k.lower() == "response"), "")
        return value.strip().lower() == "json"


_RESPONSES = st.sampled_from(
    [("response", "json"), ("response", "json"), ("response", "xml"), None, ("response", "JSON"),
     ("response", " json "), ("Response", "json"), ("response", "yaml"), ("response", "")]
)  # fmt: skip
#: how a request authenticates; "bad" ones (wrong signature, expired, wrong session key)
#: must all be refused with 401
AUTH_MODES = st.sampled_from(["v2", "v2", "v2", "v3", "v3", "v3", "session", "session", "bad"])
_CHARSETS = st.sampled_from(["", "", "; charset=utf-8", "; charset=ISO-8859-1", "; charset=x"])
_JUNK = st.sampled_from(["%FF%FE=%C0", "%=%", "&&", "=orphan", "k%ZZ=v", "%ED%A0%80=x", "a=b=c"])
_MULTIPART_NAME = re.compile(r"^[A-Za-z0-9_.\[\]]+$")


def _charset(content_type: str) -> str | None:
    """The charset Django decodes a body (and then the query string) with; None: UTF-8."""
    name = content_type.rpartition("charset=")[2] if "charset=" in content_type else ""
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def _encode(pairs: list[tuple[str, str]], *, plus: bool, charset: str | None) -> str:
    return urlencode(
        pairs,
        quote_via=quote_plus if plus else quote,
        encoding=charset or "utf-8",
        errors="xmlcharrefreplace",
    )


def _read(raw: str | bytes, charset: str | None) -> dict[str, str]:
    """RAW as Django reads it (QueryDict), with the first value of each name."""
    data = QueryDict(raw, encoding=charset)
    return {name: data.getlist(name)[0] for name in data}


def _expires(draw: Any, *, past: bool = False) -> str:
    ahead = datetime.timedelta(minutes=-10 if past else 10)
    moment = datetime.datetime.now(datetime.UTC) + ahead
    return moment.strftime(
        draw(st.sampled_from(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.000%z"]))
    )


def _auth_head(draw: Any, auth: str, credentials: Credentials) -> tuple[list, str]:
    """The authentication parameters of a request, and how a "bad" one is bad."""
    flaws = ["signature", "expired", "expires", "key", "session"]
    flaw = draw(st.sampled_from(flaws)) if auth == "bad" else ""
    if auth == "session" or flaw == "session":
        key = credentials.session_key
        if flaw:
            key += draw(st.sampled_from(["x", "\x00", " "]))
        return [("sessionkey", key)], flaw
    if auth == "none":
        return [], flaw
    api_key = draw(any_text) if flaw == "key" else credentials.api_key
    head = [(draw(st.sampled_from(["apiKey", "apikey", "APIKEY"])), api_key)]
    if flaw == "expires":
        head += [("signatureVersion", "3"), ("expires", draw(any_text))]
    elif auth == "v3" or flaw == "expired":
        head += [("signatureVersion", "3"), ("expires", _expires(draw, past=bool(flaw)))]
    return head, flaw


@st.composite
def wires(
    draw: Any,
    command: str,
    pairs: list[tuple[str, str]],
    credentials: Credentials,
    *,
    auth: str | None = None,
) -> Wire:
    """COMMAND with PAIRS as one request to /client/api, authenticated one of the ways
    CloudStack allows (AUTH: v2, v3, session, bad, or none; drawn when not given)."""
    auth = auth or draw(AUTH_MODES)
    head: list[tuple[str, str]] = [("command", command)]
    response = draw(_RESPONSES)
    if response:
        head.append(response)
    auth_params, flaw = _auth_head(draw, auth, credentials)
    head += auth_params
    method = draw(st.sampled_from(["GET", "GET", "POST", "POST", "POST"]))
    content_type = "application/x-www-form-urlencoded" + draw(_CHARSETS)
    charset = _charset(content_type) if method == "POST" else None
    plus = draw(st.booleans())
    junk = draw(_JUNK) if draw(st.integers(0, 9)) == 0 else ""
    multipart = (
        method == "POST"
        and draw(st.integers(0, 3)) == 0
        and all(_MULTIPART_NAME.match(name) for name, _ in pairs)
    )
    split = method == "POST" and draw(st.booleans())  # command and credentials in the URL
    if method == "GET":
        in_query, in_body = head + pairs, []
    else:
        in_query, in_body = (head, pairs) if split else ([], head + pairs)
    body: bytes | dict[str, str] | None = None
    if multipart:
        charset, body = None, {}
        for name, value in in_body:
            body.setdefault(name, value)
    elif method == "POST":
        encoded = _encode(in_body, plus=plus, charset=charset)
        body = "&".join(filter(None, [encoded, junk])).encode("ascii")
        if not body:  # the test client sends no Content-Type without a body
            charset = None
    query = "&".join(filter(None, [_encode(in_query, plus=plus, charset=charset), junk]))
    read = _read(query, charset)
    in_form = body if isinstance(body, dict) else _read(body or b"", charset)
    for name, value in in_form.items():
        read.setdefault(name, value)
    if auth_params and auth_params[0][0] != "sessionkey":
        signature = sign(read, credentials.secret_key)["signature"]
        if flaw == "signature":
            signature = draw(
                st.sampled_from([signature[:-2] + "xx", "", sign(read, "x")["signature"]])
            )
        query += "&signature=" + quote(signature, safe="")
        read.setdefault("signature", signature)
    return Wire(
        method,
        query,
        body,
        None if multipart or method == "GET" else content_type,
        read,
        auth=auth,
        session=auth == "session" or flaw == "session",
    )


def send(client: Any, wire: Wire) -> Any:
    path = f"/client/api?{wire.query}"
    if isinstance(wire.body, dict):
        return client.post(path, data=wire.body)
    if wire.method == "POST":
        return client.generic("POST", path, data=wire.body, content_type=wire.content_type)
    return client.generic("GET", path)


# --- answers -------------------------------------------------------------------------------


def answer_check(response: Any, wire: Wire, expected_name: str) -> dict[str, Any] | None:
    """Assert RESPONSE is a CloudStack answer named EXPECTED_NAME in the asked-for format,
    with errorcode and errortext (= its status) when it is an error; return its body (JSON
    and XML both, XML as a shallow dict of texts)."""
    status = response.status_code
    assert status in CLOUDSTACK_CODES, (status, response.content[:500])
    content_type = response.headers["Content-Type"]
    if wire.wants_json:
        assert content_type == "application/json; charset=UTF-8", content_type
        document = json.loads(response.content)
        assert list(document) == [expected_name], list(document)
        body = document[expected_name]
        assert isinstance(body, dict)
        if status != 200:
            assert body["errorcode"] == status, body
            assert isinstance(body["cserrorcode"], int), body
            assert isinstance(body["errortext"], str) and body["errortext"], body
        else:
            assert "errorcode" not in body, body
        return body
    assert content_type == "text/xml; charset=UTF-8", content_type
    root = ET.fromstring(response.content)
    assert root.tag == expected_name, root.tag
    body = {child.tag: child.text for child in root}
    if status != 200:
        assert body.get("errorcode") == str(status), body
        assert body.get("errortext"), body
    else:
        assert "errorcode" not in body, body
    return body
