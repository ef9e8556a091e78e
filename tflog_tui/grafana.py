"""Grafana Explore links: build one for a LogQL query, and read the query back out of one.

Grafana has written three forms of Explore link, and alerting links still use the legacy ones:

- the current form, ``<root>/explore?schemaVersion=1&panes=<json>&orgId=<n>``, where
  ``panes`` maps a 3-character pane id to ``{"datasource", "queries", "range"}``;
- the legacy object, ``left=<json>`` with ``{"datasource", "queries", "range"}``;
- the legacy compact array, ``left=[from, to, datasource, {"expr": ...}, ...]``.

Grafana reads the query string by turning ``+`` into a space and then decoding percent
escapes, so links built here encode ``+`` as ``%2B`` and everything outside the
unreserved set of JavaScript's ``encodeURIComponent`` as UTF-8 percent escapes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote, unquote_plus, urlsplit

from tflog_tui.times import NS_PER_MS, NS_PER_SECOND, is_relative_time, resolve_time, rfc3339_to_ns

logger = logging.getLogger(__name__)

# The characters encodeURIComponent leaves alone, beyond ASCII letters and digits.
_URI_COMPONENT_SAFE: Final = "-_.!~*'()"

_PANE_ID_ALPHABET: Final = "0123456789abcdefghijklmnopqrstuvwxyz"
_PANE_ID_LETTERS: Final = "abcdefghijklmnopqrstuvwxyz"

# Grafana's relative time: `now`, offsets like `-6h` or `+1d`, and an optional rounding
# unit after `/` (`now/d`, `now-1d/d`). `M` is months and `m` minutes.
_RELATIVE_TIME: Final = re.compile(r"now(?:[+-]\d+[smhdwMy])*(?:/[smhdwMy])?")

# Epoch milliseconds from 1973-03-03 to 5138-11-16. A smaller number is most likely
# seconds and a larger one microseconds or nanoseconds.
_MIN_EPOCH_MS: Final = 10**11
_MAX_EPOCH_MS: Final = 10**14 - 1

_LOKI_TYPE: Final = "loki"


@dataclass(frozen=True)
class ExploreQuery:
    """One query of an Explore pane, as the link stores it.

    `datasource_uid` and `datasource_type` come from the query's own datasource object
    and are None when the query has none (legacy links put the datasource on the pane).
    """

    expr: str
    ref_id: str | None = None
    datasource_uid: str | None = None
    datasource_type: str | None = None
    query_type: str | None = None


@dataclass(frozen=True)
class ExplorePane:
    """One Explore pane: its datasource, queries and time range.

    `pane_id` is the key in ``panes`` (current form) or ``left``/``right`` (legacy form).
    `time_from` and `time_to` are Grafana strings: relative (``now-6h``) or epoch
    milliseconds (``1700000000000``).
    """

    pane_id: str
    datasource: str | None
    queries: tuple[ExploreQuery, ...]
    time_from: str
    time_to: str


@dataclass(frozen=True)
class ExploreLink:
    """The LogQL query an Explore link opens, with the rest of the link kept.

    `expr`, `datasource`, `time_from` and `time_to` describe the first Loki query of the
    first pane. `datasource` is the query's datasource uid, or the pane's datasource
    (uid or name) when the query names none. `grafana_url` is the Grafana root including
    any sub-path, without a trailing slash. `panes` contains every pane in link order.
    """

    expr: str
    time_from: str
    time_to: str
    datasource: str | None
    org_id: int | None
    grafana_url: str
    panes: tuple[ExplorePane, ...] = field(default=())

    @property
    def queries(self) -> tuple[ExploreQuery, ...]:
        """Return every query of every pane, in link order."""
        return tuple(query for pane in self.panes for query in pane.queries)

    def expanded_expr(self, now_ns: int) -> str:
        """Return `expr` with Grafana's interval and range variables replaced for its range.

        Queries saved from Grafana's builder contain `$__auto` or `$__interval`,
        which only Grafana fills in, so Loki rejects them. `now_ns` resolves a
        relative range.
        """
        start_ns = resolve_time(self.time_from, now_ns)
        end_ns = resolve_time(self.time_to, now_ns, round_up=True)
        return expand_variables(self.expr, start_ns, end_ns)


# Grafana aims at about this many points per graph when it picks `$__interval`.
_MAX_DATA_POINTS: Final = 1000
_MIN_INTERVAL_NS: Final = NS_PER_SECOND
# Grafana rounds an interval to one of these steps (seconds).
_NICE_INTERVALS_S: Final = (
    1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 10800, 21600, 43200, 86400, 604800,
)
_VARIABLE: Final = re.compile(
    r"\$\{(__\w+)\}|\[\[(__\w+)\]\]|\$(__(?:auto|interval_ms|interval|rate_interval|"
    r"range_ms|range_s|range))(?!\w)"
)


def expand_variables(expr: str, start_ns: int, end_ns: int) -> str:
    """Replace Grafana's `$__auto`, `$__interval`, `$__rate_interval` and `$__range` forms.

    Intervals follow Grafana's rule in outline: the range divided by about
    1,000 points, rounded up to a common step of at least 1 s. Grafana also
    weighs the panel width and the datasource's minimum interval, so its
    value can differ. A query that needs an exact step should name it.
    Unknown variables are left alone for the parser to report.
    """
    range_ns = max(end_ns - start_ns, 0)
    interval_s = _interval_seconds(range_ns)
    range_s = max(range_ns // NS_PER_SECOND, 1)
    values = {
        "__auto": f"{interval_s}s",
        "__interval": f"{interval_s}s",
        # Grafana's rate interval is at least four scrape intervals. Logs have
        # no scrape interval, so the interval is used, with a 1m floor.
        "__rate_interval": f"{max(interval_s, 60)}s",
        "__interval_ms": str(interval_s * 1000),
        "__range": f"{range_s}s",
        "__range_s": str(range_s),
        "__range_ms": str(range_ns // NS_PER_MS),
    }

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        return values.get(name, match.group(0))

    return _VARIABLE.sub(replace, expr)


def _interval_seconds(range_ns: int) -> int:
    target_ns = max(range_ns // _MAX_DATA_POINTS, _MIN_INTERVAL_NS)
    for step_s in _NICE_INTERVALS_S:
        if step_s * NS_PER_SECOND >= target_ns:
            return step_s
    return _NICE_INTERVALS_S[-1]


# Building links


def explore_url(
    grafana_url: str,
    datasource_uid: str | None,
    expr: str,
    time_from: str | int,
    time_to: str | int,
    org_id: int = 1,
) -> str:
    """Build a current-form Grafana Explore link that opens `expr` in a Loki datasource.

    `grafana_url` is the Grafana root and may carry a sub-path
    (``https://example.com/grafana/``). `time_from` and `time_to` are relative Grafana
    times (``now``, ``now-6h``, ``now-1d/d``), epoch milliseconds as an int or a string
    of digits, or RFC 3339 times with an offset (converted to milliseconds). With no
    `datasource_uid`, the link leaves the choice to Grafana's default datasource. The
    pane id is derived from the content, so equal input gives an equal
    link. Raises ValueError naming the value that is invalid.
    """
    root = _normalize_root(grafana_url)
    range_from = _range_value(time_from, "time_from")
    range_to = _range_value(time_to, "time_to")

    if isinstance(org_id, bool) or not isinstance(org_id, int) or org_id < 1:
        raise ValueError(f"invalid Grafana org id {org_id!r}: expected a positive int")

    query: dict[str, Any] = {"refId": "A"}
    if datasource_uid:
        query["datasource"] = {"type": _LOKI_TYPE, "uid": datasource_uid}
    query["expr"] = expr
    query["queryType"] = "range"
    query["editorMode"] = "code"

    pane: dict[str, Any] = {}
    if datasource_uid:
        pane["datasource"] = datasource_uid
    pane["queries"] = [query]
    pane["range"] = {"from": range_from, "to": range_to}

    pane_json = json.dumps(pane, ensure_ascii=False, separators=(",", ":"))
    pane_id = _pane_id(pane_json)
    panes_json = json.dumps({pane_id: pane}, ensure_ascii=False, separators=(",", ":"))

    return (
        f"{root}/explore?schemaVersion=1"
        f"&panes={_encode_uri_component(panes_json, 'expr')}"
        f"&orgId={org_id}"
    )


def _normalize_root(grafana_url: str) -> str:
    """Return the Grafana root without a trailing slash, or raise ValueError."""
    parts = urlsplit(grafana_url.strip())

    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"invalid Grafana URL {grafana_url!r}: expected http(s)://host[/sub-path]")

    if parts.query or parts.fragment:
        raise ValueError(
            f"invalid Grafana URL {grafana_url!r}: expected the Grafana root, without '?' or '#'"
        )

    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _range_value(value: str | int, name: str) -> str:
    """Return `value` as a Grafana range string, or raise ValueError saying why not."""
    # bool is an int subclass. A float is rejected because it is usually seconds from time.time().
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(
            f"invalid {name} {value!r}: expected epoch milliseconds as an int "
            "or a relative time such as 'now-1h'"
        )

    if isinstance(value, int):
        return _epoch_ms_text(value, name)

    text = value.strip()
    if text.isascii() and text.isdigit():
        return _epoch_ms_text(int(text), name)

    if _RELATIVE_TIME.fullmatch(text):
        return text

    if is_relative_time(text):
        # tflog's own extensions (`now - 1h30m`) spelled the way Grafana reads them.
        return _grafana_relative(text)

    try:
        epoch_ns = rfc3339_to_ns(text)
    except ValueError as error:
        raise ValueError(f"invalid {name} {value!r}: {error}") from error
    if epoch_ns is not None:
        # Grafana links carry whole milliseconds; the digits below are dropped.
        return _epoch_ms_text(epoch_ns // NS_PER_MS, name)

    raise ValueError(
        f"invalid {name} {value!r}: expected a relative time such as 'now-1h', "
        "epoch milliseconds or an RFC 3339 time with an offset"
    )


def _grafana_relative(text: str) -> str:
    """Rewrite `now - 1h30m` as `now-1h-30m`: no spaces, one unit per offset."""
    compact = "".join(text.split())
    return re.sub(
        r"([-+])((?:\d+[smhdwMy])+)",
        lambda match: "".join(
            match.group(1) + part for part in re.findall(r"\d+[smhdwMy]", match.group(2))
        ),
        compact,
    )


def _epoch_ms_text(value: int, name: str) -> str:
    if value < _MIN_EPOCH_MS:
        raise ValueError(
            f"invalid {name} {value}: it looks like epoch seconds, "
            "and Grafana links take epoch milliseconds"
        )

    if value > _MAX_EPOCH_MS:
        raise ValueError(
            f"invalid {name} {value}: it looks like epoch microseconds or nanoseconds, "
            "and Grafana links take epoch milliseconds"
        )

    return str(value)


def _pane_id(content: str) -> str:
    """Derive a pane id from `content`: 3 characters of [0-9a-z], at least one a letter."""
    digest = hashlib.sha256(content.encode("utf-8", "surrogatepass")).digest()
    characters = [_PANE_ID_ALPHABET[byte % len(_PANE_ID_ALPHABET)] for byte in digest[:3]]

    if all(character.isdigit() for character in characters):
        characters[0] = _PANE_ID_LETTERS[digest[3] % len(_PANE_ID_LETTERS)]

    return "".join(characters)


def _encode_uri_component(text: str, name: str) -> str:
    """Percent-encode `text` as JavaScript's encodeURIComponent does."""
    try:
        return quote(text, safe=_URI_COMPONENT_SAFE, encoding="utf-8", errors="strict")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"invalid {name}: it contains a lone surrogate "
            f"at position {error.start}, which a URL cannot carry"
        ) from error


# Reading links


def is_explore_url(text: str) -> bool:
    """Return whether `text` is an http(s) link to Grafana Explore with a pane in it."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False

    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False

    if not _is_explore_path(parts.path):
        return False

    names = {unquote_plus(name) for name, _ in _query_pairs(parts.query)}
    return "panes" in names or "left" in names


def parse_explore_url(url: str) -> ExploreLink:
    """Read the LogQL query, time range, datasource and org id out of an Explore link.

    Accepts the current ``panes=`` form and the legacy ``left=`` forms (object and
    compact array). The query string is decoded as Grafana decodes it: ``+`` is a space,
    then percent escapes are UTF-8. When the link contains several panes or queries, the
    first Loki query of the first pane is the one returned, and `ExploreLink.panes`
    keeps all of them. Raises ValueError saying what is missing or invalid.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:
        raise ValueError(
            f"not a Grafana Explore link: {_shorten(url)} is not a URL ({error})"
        ) from error

    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not a Grafana Explore link: {_shorten(url)} is not an http(s) URL")

    if not _is_explore_path(parts.path):
        raise ValueError(
            f"not a Grafana Explore link: the path {parts.path!r} does not end in /explore"
        )

    grafana_url = f"{parts.scheme}://{parts.netloc}{_root_path(parts.path)}"
    params = _decode_query(parts.query)

    if "panes" in params:
        panes = _parse_panes(params["panes"])
    elif "left" in params:
        panes = [_parse_legacy_pane("left", params["left"])]
        if "right" in params:
            panes.append(_parse_legacy_pane("right", params["right"]))
    else:
        raise ValueError(
            "Grafana Explore link has no query: expected a 'panes' or 'left' parameter"
        )

    org_id = _parse_org_id(params.get("orgId"))
    pane, query = _first_loki_query(panes)

    return ExploreLink(
        expr=query.expr,
        time_from=pane.time_from,
        time_to=pane.time_to,
        datasource=query.datasource_uid or pane.datasource,
        org_id=org_id,
        grafana_url=grafana_url,
        panes=tuple(panes),
    )


def _is_explore_path(path: str) -> bool:
    return path.rstrip("/").endswith("/explore")


def _root_path(path: str) -> str:
    trimmed = path.rstrip("/")
    return trimmed[: -len("/explore")]


def _query_pairs(query: str) -> list[tuple[str, str]]:
    """Split a raw query string into (name, raw value) pairs, values still encoded."""
    pairs = []
    for item in query.split("&"):
        if not item:
            continue

        name, _, value = item.partition("=")
        pairs.append((name, value))

    return pairs


def _decode_query(query: str) -> dict[str, str]:
    """Decode a query string as Grafana does. The first occurrence of a name wins."""
    params: dict[str, str] = {}

    for raw_name, raw_value in _query_pairs(query):
        name = _decode_component(raw_name)
        if name in params:
            continue

        params[name] = _decode_component(raw_value, name)

    return params


def _decode_component(raw: str, name: str | None = None) -> str:
    # A malformed escape such as a bare `%` is kept as text, as urllib does.
    try:
        return unquote_plus(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        where = f"parameter {name!r}" if name else "a parameter name"
        raise ValueError(
            f"invalid Grafana Explore link: {where} has percent escapes that are not UTF-8"
        ) from error


def _parse_org_id(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None

    text = raw.strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"invalid Grafana Explore link: orgId {raw!r} is not a number")

    return int(text)


def _load_json(raw: str, name: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"invalid Grafana Explore link: parameter {name!r} is not valid JSON "
            f"({error.msg} at character {error.pos})"
        ) from error


def _parse_panes(raw: str) -> list[ExplorePane]:
    document = _load_json(raw, "panes")

    if not isinstance(document, dict) or not document:
        raise ValueError(
            "invalid Grafana Explore link: 'panes' must be a JSON object with one entry per pane"
        )

    panes = []
    for pane_id, pane in document.items():
        if not isinstance(pane, dict):
            raise ValueError(f"invalid Grafana Explore link: pane {pane_id!r} is not an object")

        panes.append(_pane_from_object(str(pane_id), pane))

    return panes


def _parse_legacy_pane(pane_id: str, raw: str) -> ExplorePane:
    document = _load_json(raw, pane_id)

    if isinstance(document, dict):
        return _pane_from_object(pane_id, document)

    if isinstance(document, list):
        return _pane_from_compact(pane_id, document)

    raise ValueError(f"invalid Grafana Explore link: {pane_id!r} must be a JSON object or array")


def _pane_from_object(pane_id: str, pane: dict[str, Any]) -> ExplorePane:
    """Read a pane in the current form or the legacy object form (same field names)."""
    raw_range = pane.get("range")
    if raw_range is None:
        time_from, time_to = "now-1h", "now"
        logger.debug("Explore pane %r has no range, so it gets the default now-1h to now", pane_id)
    elif isinstance(raw_range, dict):
        time_from = _range_text(raw_range.get("from"), pane_id, "from")
        time_to = _range_text(raw_range.get("to"), pane_id, "to")
    else:
        raise ValueError(
            f"invalid Grafana Explore link: the range of pane {pane_id!r} is not an object"
        )

    raw_queries = pane.get("queries", [])
    if not isinstance(raw_queries, list):
        raise ValueError(
            f"invalid Grafana Explore link: the queries of pane {pane_id!r} are not a list"
        )

    queries = tuple(_query_from_object(pane_id, item) for item in raw_queries)

    return ExplorePane(
        pane_id=pane_id,
        datasource=_datasource_text(pane.get("datasource")),
        queries=queries,
        time_from=time_from,
        time_to=time_to,
    )


def _pane_from_compact(pane_id: str, items: list[Any]) -> ExplorePane:
    """Read the legacy compact array `[from, to, datasource, {query}, ..., {"ui": ...}]`."""
    if len(items) < 3:
        raise ValueError(
            f"invalid Grafana Explore link: {pane_id!r} as an array needs at least "
            "[from, to, datasource]"
        )

    time_from = _range_text(items[0], pane_id, "from")
    time_to = _range_text(items[1], pane_id, "to")

    # Objects after the datasource are queries, except the view settings that old
    # Grafana versions appended (`{"ui": [...]}`, `{"mode": "Logs"}`).
    queries = tuple(
        _query_from_object(pane_id, item)
        for item in items[3:]
        if isinstance(item, dict) and ("expr" in item or "refId" in item)
    )

    return ExplorePane(
        pane_id=pane_id,
        datasource=_datasource_text(items[2]),
        queries=queries,
        time_from=time_from,
        time_to=time_to,
    )


def _query_from_object(pane_id: str, item: Any) -> ExploreQuery:
    if not isinstance(item, dict):
        raise ValueError(
            f"invalid Grafana Explore link: a query of pane {pane_id!r} is not an object"
        )

    expr = item.get("expr", "")
    if not isinstance(expr, str):
        raise ValueError(
            f"invalid Grafana Explore link: a query expression of pane {pane_id!r} is not a string"
        )

    datasource = item.get("datasource")
    uid: str | None = None
    kind: str | None = None
    if isinstance(datasource, dict):
        uid = _optional_text(datasource.get("uid"))
        kind = _optional_text(datasource.get("type"))
    elif isinstance(datasource, str) and datasource:
        uid = datasource

    return ExploreQuery(
        expr=expr,
        ref_id=_optional_text(item.get("refId")),
        datasource_uid=uid,
        datasource_type=kind,
        query_type=_optional_text(item.get("queryType")),
    )


def _datasource_text(value: Any) -> str | None:
    """Return a pane datasource as a string, reading the uid when it is an object."""
    if isinstance(value, str):
        return value or None

    if isinstance(value, dict):
        return _optional_text(value.get("uid"))

    return None


def _optional_text(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value

    return None


def _range_text(value: Any, pane_id: str, end: str) -> str:
    """Normalize a range end to a Grafana string: JSON numbers become digit strings."""
    if isinstance(value, bool) or value is None:
        raise ValueError(
            f"invalid Grafana Explore link: the range {end!r} of pane {pane_id!r} "
            f"is {json.dumps(value)}, expected a time"
        )

    if isinstance(value, int):
        return str(value)

    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(
                f"invalid Grafana Explore link: the range {end!r} of pane {pane_id!r} "
                f"is {value}, expected whole epoch milliseconds"
            )
        return str(int(value))

    if isinstance(value, str) and value.strip():
        return value.strip()

    raise ValueError(
        f"invalid Grafana Explore link: the range {end!r} of pane {pane_id!r} "
        f"is {json.dumps(value)}, expected a time"
    )


def _first_loki_query(panes: list[ExplorePane]) -> tuple[ExplorePane, ExploreQuery]:
    """Return the first query with an expression that is not typed as another datasource."""
    other_types: list[str] = []

    for pane in panes:
        for query in pane.queries:
            if not query.expr.strip():
                continue

            if query.datasource_type not in (None, _LOKI_TYPE):
                other_types.append(query.datasource_type)
                continue

            return pane, query

    if other_types:
        raise ValueError(
            "Grafana Explore link has no Loki query: its queries are for "
            + ", ".join(sorted(set(other_types)))
        )

    raise ValueError("Grafana Explore link has no Loki query: no query has an expression")


def _shorten(text: str, limit: int = 80) -> str:
    if len(text) <= limit:
        return repr(text)

    return repr(text[:limit] + "…")
