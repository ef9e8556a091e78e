"""Plain data that crosses the layers: label sets and log entries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Final, overload

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


StreamKey = tuple[Labels, Labels, Labels]
"""The labels an entry shares with its stream: (labels, metadata, parsed)."""

_first = itemgetter(0)
_second = itemgetter(1)
_third = itemgetter(2)


class EntryPage(Sequence[Entry]):
    """Entries stored as columns: a decoded `query_range` page or a part of one.

    Building one `Entry` object per value costs more than parsing the JSON
    it came from, so a page keeps its values in lists. `ts_ns` has the
    timestamps (integer nanoseconds) and `lines` the lines. `stream_ids`
    has one index per entry into `streams`, the page's table of
    (labels, metadata, parsed) triples. Indexing and iteration build
    `Entry` objects on demand, so a page works wherever a sequence of
    entries does. A slice is a page that shares the stream table. The
    columns are not copied, so treat them as read-only once built.
    """

    __slots__ = ("lines", "stream_ids", "streams", "ts_ns")

    def __init__(
        self,
        ts_ns: list[int],
        lines: list[str],
        stream_ids: list[int],
        streams: list[StreamKey],
    ) -> None:
        if not len(ts_ns) == len(lines) == len(stream_ids):
            raise ValueError(
                f"page columns differ in length: {len(ts_ns)} timestamps, "
                f"{len(lines)} lines, {len(stream_ids)} stream ids"
            )
        self.ts_ns = ts_ns
        self.lines = lines
        self.stream_ids = stream_ids
        self.streams = streams

    @classmethod
    def from_entries(cls, entries: Iterable[Entry]) -> EntryPage:
        """Build a page from entry objects, keeping their order."""
        if isinstance(entries, EntryPage):
            return entries

        ts_ns: list[int] = []
        lines: list[str] = []
        stream_ids: list[int] = []
        streams: list[StreamKey] = []
        index_of: dict[tuple[int, int, int], int] = {}
        for entry in entries:
            identity = (id(entry.labels), id(entry.metadata), id(entry.parsed))
            stream = index_of.get(identity)
            if stream is None:
                stream = index_of[identity] = len(streams)
                streams.append((entry.labels, entry.metadata, entry.parsed))
            ts_ns.append(entry.ts_ns)
            lines.append(entry.line)
            stream_ids.append(stream)
        return cls(ts_ns, lines, stream_ids, streams)

    def __len__(self) -> int:
        return len(self.ts_ns)

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> EntryPage: ...

    def __getitem__(self, index: int | slice) -> Entry | EntryPage:
        if isinstance(index, slice):
            return EntryPage(
                self.ts_ns[index], self.lines[index], self.stream_ids[index], self.streams
            )

        labels, metadata, parsed = self.streams[self.stream_ids[index]]
        return Entry(self.ts_ns[index], self.lines[index], labels, metadata, parsed)

    def __iter__(self) -> Iterator[Entry]:
        streams = self.streams
        if len(streams) == 1:
            labels, metadata, parsed = streams[0]
            return map(
                Entry, self.ts_ns, self.lines, repeat(labels), repeat(metadata), repeat(parsed)
            )

        triples = list(map(streams.__getitem__, self.stream_ids))
        return map(
            Entry,
            self.ts_ns,
            self.lines,
            map(_first, triples),
            map(_second, triples),
            map(_third, triples),
        )

    def labels_at(self, index: int) -> Labels:
        """Return the stream labels of the entry at `index`."""
        return self.streams[self.stream_ids[index]][0]

    def key_at(self, index: int) -> tuple[int, Labels, str]:
        """Return `Entry.key` of the entry at `index` without building the entry."""
        return (self.ts_ns[index], self.streams[self.stream_ids[index]][0], self.lines[index])

    def take(self, indices: Iterable[int]) -> EntryPage:
        """Return a page of the entries at `indices`, in that order."""
        order = indices if isinstance(indices, list) else list(indices)
        return EntryPage(
            list(map(self.ts_ns.__getitem__, order)),
            list(map(self.lines.__getitem__, order)),
            list(map(self.stream_ids.__getitem__, order)),
            self.streams,
        )

    def sorted_by_time(self, *, reverse: bool = False) -> EntryPage:
        """Return the entries sorted by timestamp, stably, like `list.sort`.

        Entries that share a timestamp keep their order, also with
        `reverse`. Returns this page when it is already in order.
        """
        ts_ns = self.ts_ns
        order = sorted(range(len(ts_ns)), key=ts_ns.__getitem__, reverse=reverse)
        if order == list(range(len(order))):
            return self

        return self.take(order)

    def __add__(self, other: Sequence[Entry]) -> EntryPage:
        """Return a page of these entries followed by `other`'s."""
        if not isinstance(other, EntryPage):
            other = EntryPage.from_entries(other)
        if other.streams is self.streams:
            shifted = other.stream_ids
        else:
            shifted = [stream + len(self.streams) for stream in other.stream_ids]
        streams = self.streams if other.streams is self.streams else self.streams + other.streams
        return EntryPage(
            self.ts_ns + other.ts_ns,
            self.lines + other.lines,
            self.stream_ids + shifted,
            streams,
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EntryPage):
            return len(self) == len(other) and list(self) == list(other)
        if isinstance(other, (list, tuple)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EntryPage({len(self)} entries, {len(self.streams)} streams)"
