"""Tell an entry's indexed stream labels apart from labels a parser stage extracted.

Without the `categorize-labels` encoding flag, Loki returns the labels a
`| json` or `| logfmt` stage extracted in the stream labels of the result.
The label names Loki indexes (`/loki/api/v1/labels` for a range) tell them
apart. The names are fetched once per client and range and kept for
`INDEXED_TTL_S` seconds.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from tflog_tui.buffer.levels import LEVEL_LABEL_NAMES
from tflog_tui.loki.errors import LokiError

if TYPE_CHECKING:
    from tflog_tui.loki import LokiClient

logger = logging.getLogger(__name__)

INDEXED_TTL_S = 300.0
"""How long (seconds) the indexed label names of a range are reused."""

_cache: weakref.WeakKeyDictionary[LokiClient, dict[tuple[str, str], tuple[float, frozenset[str]]]]
_cache = weakref.WeakKeyDictionary()


def stream_labels(labels: Mapping[str, str], indexed: Collection[str] | None) -> dict[str, str]:
    """Return the labels of `labels` that Loki indexes; all of them when `indexed` is None."""
    if indexed is None:
        return dict(labels)
    return {name: value for name, value in labels.items() if name in indexed}


def parsed_labels(labels: Mapping[str, str], indexed: Collection[str] | None) -> dict[str, str]:
    """Return the labels of `labels` that are not indexed (extracted by a parser stage)."""
    if indexed is None:
        return {}
    return {name: value for name, value in labels.items() if name not in indexed}


def is_level_or_error_label(name: str) -> bool:
    """Tell whether `name` is a level label (`level`, `detected_level`…) or `__error__`-like."""
    return name in LEVEL_LABEL_NAMES or name.startswith("__")


def context_labels(labels: Mapping[str, str], indexed: Collection[str] | None) -> dict[str, str]:
    """Return the labels that name an entry's source: indexed, without level or error labels.

    `service_name`, `task_id` and `hostname` are kept; the order of `labels` is kept.
    """
    return {
        name: value
        for name, value in stream_labels(labels, indexed).items()
        if not is_level_or_error_label(name)
    }


def cached_indexed_names(client: LokiClient, range_key: tuple[str, str]) -> frozenset[str] | None:
    """Return the indexed label names cached for `range_key`, or None when none is cached."""
    cached = _cache.get(client, {}).get(range_key)
    if cached is None or time.monotonic() - cached[0] > INDEXED_TTL_S:
        return None
    return cached[1]


async def indexed_label_names(
    client: LokiClient, range_key: tuple[str, str], start_ns: int, end_ns: int
) -> frozenset[str] | None:
    """Return the label names Loki indexes between `start_ns` and `end_ns` (ns since the epoch).

    `range_key` (the range as typed, `now-1h`, `now`) keys the cache. Return
    None when every label of an entry is a stream label already (the client
    asks for categorized labels) or when Loki cannot list the names.
    """
    if client.settings.categorize_labels:
        return None

    cached = cached_indexed_names(client, range_key)
    if cached is not None:
        return cached

    try:
        names = frozenset(await client.labels(start_ns=start_ns, end_ns=end_ns))
    except LokiError as error:
        logger.warning("listing the indexed label names failed: %s", error)
        return None
    _cache.setdefault(client, {})[range_key] = (time.monotonic(), names)
    return names
