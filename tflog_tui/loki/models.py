"""Plain data that crosses the layers: label sets and log entries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Final

_EMPTY_ITEMS: Final[tuple[tuple[str, str], ...]] = ()


class Labels(Mapping[str, str]):
    """An immutable, hashable label set, stored as items sorted by name.

    Identical label sets decoded from one response are meant to share one
    `Labels` object (see `LabelInterner`), so a pane holding a million
    entries from twenty streams holds twenty of these.
    """

    __slots__ = ("_hash", "_items", "_map")

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items: tuple[tuple[str, str], ...] = tuple(sorted(pairs))
        self._map: dict[str, str] = dict(self._items)
        self._hash = hash(self._items)

    @property
    def items_tuple(self) -> tuple[tuple[str, str], ...]:
        """Return the (name, value) pairs sorted by name."""
        return self._items

    def __getitem__(self, name: str) -> str:
        return self._map[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._map

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Labels):
            return self._hash == other._hash and self._items == other._items
        if isinstance(other, Mapping):
            return self._map == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Labels({self._map!r})"

    def __str__(self) -> str:
        """Format as a LogQL-style label set: `{a="1", b="2"}`."""
        inner = ", ".join(f'{name}="{_quote(value)}"' for name, value in self._items)
        return "{" + inner + "}"


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


EMPTY_LABELS: Final = Labels(_EMPTY_ITEMS)


class LabelInterner:
    """Map equal label sets to one shared `Labels` object."""

    __slots__ = ("_by_items",)

    def __init__(self) -> None:
        self._by_items: dict[tuple[tuple[str, str], ...], Labels] = {}

    def intern(self, mapping: Mapping[str, str]) -> Labels:
        """Return the shared `Labels` for `mapping`, creating it on first use."""
        if isinstance(mapping, Labels):
            key = mapping.items_tuple
        else:
            key = tuple(sorted(mapping.items()))
        found = self._by_items.get(key)
        if found is None:
            found = mapping if isinstance(mapping, Labels) else Labels(key)
            self._by_items[key] = found
        return found

    def __len__(self) -> int:
        return len(self._by_items)


class Entry:
    """One log entry as Loki returns it.

    `ts_ns` is nanoseconds since the epoch as an `int`, never a float.
    `labels` are the stream labels. `metadata` (structured metadata) and
    `parsed` (labels extracted by parser stages) are filled only when Loki
    sends categorized labels; otherwise they are empty.
    """

    __slots__ = ("labels", "line", "metadata", "parsed", "ts_ns")

    def __init__(
        self,
        ts_ns: int,
        line: str,
        labels: Labels,
        metadata: Labels = EMPTY_LABELS,
        parsed: Labels = EMPTY_LABELS,
    ) -> None:
        self.ts_ns = ts_ns
        self.line = line
        self.labels = labels
        self.metadata = metadata
        self.parsed = parsed

    @property
    def key(self) -> tuple[int, Labels, str]:
        """Return the identity Loki uses for deduplication: (timestamp, labels, line)."""
        return (self.ts_ns, self.labels, self.line)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return (
            self.ts_ns == other.ts_ns
            and self.line == other.line
            and self.labels == other.labels
            and self.metadata == other.metadata
            and self.parsed == other.parsed
        )

    def __hash__(self) -> int:
        return hash((self.ts_ns, self.labels, self.line))

    def __repr__(self) -> str:
        return f"Entry({self.ts_ns}, {self.line!r}, {self.labels})"
