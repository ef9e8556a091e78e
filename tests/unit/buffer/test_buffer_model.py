"""Pane buffer and row views against a plain list model, over random operation sequences."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.buffer import Level, PaneBuffer, RowView
from tflog_tui.loki.models import Entry, Labels

LEVEL_WORDS = ["CRITICAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "plain"]
STREAMS = [Labels({"service_name": "a"}), Labels({"service_name": "b"})]


@dataclass
class Model:
    """The expected contents: (row id, timestamp, line) oldest first."""

    capacity: int
    rows: list[tuple[int, int, str]] = field(default_factory=list)
    first_id: int = 0
    evicted: int = 0
    dropped: int = 0
    newest_ts: int = 0
    oldest_ts: int = 0

    def append(self, lines: list[str]) -> None:
        end_id = self.first_id + len(self.rows)
        for offset, line in enumerate(lines):
            self.newest_ts += 1
            self.rows.append((end_id + offset, self.newest_ts, line))

        overflow = len(self.rows) - self.capacity
        if overflow > 0:
            del self.rows[:overflow]
            self.first_id += overflow
            self.evicted += overflow

    def prepend(self, lines_newest_first: list[str]) -> None:
        room = self.capacity - len(self.rows)
        stored = lines_newest_first[: max(room, 0)]
        self.dropped += len(lines_newest_first) - len(stored)
        for line in stored:
            self.oldest_ts -= 1
            self.first_id -= 1
            self.rows.insert(0, (self.first_id, self.oldest_ts, line))

    def clear(self) -> None:
        self.first_id += len(self.rows)
        self.rows = []


def _entry(ts: int, line: str) -> Entry:
    return Entry(ts, line, STREAMS[ts % 2])


def _level_of(line: str) -> Level:
    word = line.split(" ", 1)[0]
    index = LEVEL_WORDS.index(word)
    return Level(index + 1)


LINES = st.lists(
    st.builds(
        lambda word, number: f"{word} item {number}",
        st.sampled_from(LEVEL_WORDS),
        st.integers(0, 30),
    ),
    max_size=12,
)

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), LINES),
        st.tuples(st.just("prepend"), LINES),
        st.tuples(st.just("clear"), st.just([])),
        st.tuples(st.just("refresh"), st.integers(1, 10).map(lambda n: [str(n)])),
    ),
    max_size=25,
)

LEVEL_SETS = st.frozensets(st.sampled_from(list(Level)), min_size=1)


def _apply(operation: str, lines: list[str], buffer: PaneBuffer, model: Model) -> None:
    if operation == "append":
        start = model.newest_ts + 1
        buffer.append(_entry(start + offset, line) for offset, line in enumerate(lines))
        model.append(lines)
    elif operation == "prepend":
        start = model.oldest_ts - 1
        buffer.prepend([_entry(start - offset, line) for offset, line in enumerate(lines)])
        model.prepend(lines)
    elif operation == "clear":
        buffer.clear()
        model.clear()


def _check_buffer(buffer: PaneBuffer, model: Model) -> None:
    assert len(buffer) == len(model.rows)
    assert buffer.first_row_id == model.first_id
    assert buffer.evicted == model.evicted
    assert buffer.dropped == model.dropped
    assert [buffer.row_id(row) for row in range(len(buffer))] == [row[0] for row in model.rows]
    assert [buffer.ts_ns(row) for row in range(len(buffer))] == [row[1] for row in model.rows]
    assert buffer.lines_range(0, len(buffer)) == [row[2] for row in model.rows]

    levels = [_level_of(row[2]) for row in model.rows]
    assert [buffer.level(row) for row in range(len(buffer))] == levels
    assert buffer.level_counts() == {level: levels.count(level) for level in Level}


def _expected_next(
    levels: list[Level], from_row: int, wanted: frozenset[Level], forward: bool
) -> int | None:
    rows = range(from_row + 1, len(levels)) if forward else range(from_row - 1, -1, -1)
    for row in rows:
        if 0 <= row < len(levels) and levels[row] in wanted:
            return row
    return None


@settings(max_examples=150, deadline=None)
@given(
    capacity=st.integers(1, 20),
    operations=OPERATIONS,
    view_levels=LEVEL_SETS,
    search=st.sampled_from([None, "item 1", "ERROR", r"item [0-4]\b"]),
    find_levels=LEVEL_SETS,
)
def test_buffer_and_view_match_model(
    capacity: int,
    operations: list[tuple[str, list[str]]],
    view_levels: frozenset[Level],
    search: str | None,
    find_levels: frozenset[Level],
) -> None:
    buffer = PaneBuffer(capacity=capacity)
    model = Model(capacity)
    view = RowView(buffer, levels=view_levels)
    view.set_search(search, regex=search is not None and "[" in search)

    for operation, lines in operations:
        _apply(operation, lines, buffer, model)
        if operation == "refresh":
            view.refresh(max_rows=int(lines[0]))
        _check_buffer(buffer, model)

    view.refresh()
    expected_ids = [
        row_id
        for row_id, _ts, line in model.rows
        if _level_of(line) in view_levels
        and (search is None or view.search is None or view.search.matches(line))
    ]
    assert view.pending_rows == 0
    assert [view.row_id(index) for index in range(len(view))] == expected_ids

    levels = [_level_of(row[2]) for row in model.rows]
    for from_row in range(-1, len(buffer) + 1):
        for forward in (True, False):
            expected = _expected_next(levels, from_row, find_levels, forward)
            assert buffer.find_level(from_row, find_levels, forward=forward) == expected

            in_view = [buffer.row_of(row_id) for row_id in expected_ids]
            candidates = [
                row
                for row in in_view
                if row is not None
                and levels[row] in find_levels & view_levels
                and (row > from_row if forward else row < from_row)
            ]
            expected_in_view = None
            if candidates:
                expected_in_view = min(candidates) if forward else max(candidates)
            assert view.find_next(from_row, find_levels, forward=forward) == expected_in_view
