"""Wrap mode fills the screen with whole entries and keeps the message readable."""

from __future__ import annotations

import pytest
from log_view_app import BASE_NS, LogViewApp, entries, labels

from tflog_tui.buffer import PaneBuffer

STREAMS = [
    labels(
        service_name=f"notification-dispatcher-{n}",
        task_id=f"3f2b8c1e-77aa-4d6e-9b1c-5a0e2f9d81c{n}",
        hostname=f"ip-10-0-12-{n}.eu-west-1.compute.internal",
    )
    for n in range(3)
]


def json_line(stream: int, n: int) -> str:
    return (
        f'{{"ts":"2026-12-04T12:00:{n:02d}.000Z","level":"info","msg":"step done",'
        f'"task_id":"3f2b8c1e","step":"commit segment","stream":{stream},"n":{n},"end":"E{n}"}}'
    )


def wrapped_buffer(count: int = 30) -> PaneBuffer:
    buffer = PaneBuffer()
    for number, stream in enumerate(STREAMS):
        lines = [json_line(number, n) for n in range(count)]
        buffer.append(entries(lines, stream=stream, start_ns=BASE_NS + number))
    return buffer


@pytest.mark.parametrize("keys", [("z", "G"), ("z", "G", "k"), ("z", "k", "k", "k")])
@pytest.mark.parametrize("size", [(120, 32), (52, 24)], ids=["120x32", "52x24"])
async def test_wrap_fills_every_row(size: tuple[int, int], keys: tuple[str, ...]) -> None:
    buffer = wrapped_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press(*keys)
        await pilot.pause()

        lines = app.screen_lines()
        assert all(line.strip() for line in lines), lines
        assert view.wrap is True
        if keys[-1] == "G":
            assert lines[-1].rstrip().endswith('"E29"}')


async def test_wrap_uses_full_width_after_prefix() -> None:
    buffer = wrapped_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("z", "G")
        await pilot.pause()

        prefix = view._row_format.prefix_cells
        width = view.scrollable_content_region.width
        assert width - prefix >= 40
        lines = app.screen_lines()
        continuation = [line for line in lines if line[:prefix].strip() == ""]
        assert continuation
        assert all(line[prefix] != " " for line in continuation)
        full = [line for line in continuation if len(line.rstrip()) == width]
        assert full


async def test_narrow_wrap_starts_message_on_next_row() -> None:
    buffer = wrapped_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=(44, 24)) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("z", "G")
        await pilot.pause()

        width = view.scrollable_content_region.width
        lines = app.screen_lines()
        assert all(line.strip() for line in lines), lines
        assert lines[-1].rstrip().endswith('"E29"}')
        header = [line for line in lines if line.startswith("12:00:")]
        assert header
        assert all("{" not in line for line in header)
        body = [line for line in lines if not line.startswith("12:00:")]
        assert any(len(line.rstrip()) >= width - 1 for line in body)
        assert all(line.startswith("  ") for line in body)
