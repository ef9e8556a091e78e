"""Label columns yield to the message on narrow screens."""

from __future__ import annotations

import pytest
from log_view_app import LogViewApp, entries, labels

from tflog_tui.buffer import PaneBuffer
from tflog_tui.ui.widgets.log_row import fit_label_columns

STREAMS = [
    labels(
        service_name=f"notification-dispatcher-{n}",
        task_id=f"3f2b8c1e-77aa-4d6e-9b1c-5a0e2f9d81c{n}",
        hostname=f"ip-10-0-12-{n}.eu-west-1.compute.internal",
    )
    for n in range(3)
]


def labelled_buffer() -> PaneBuffer:
    buffer = PaneBuffer()
    for number, stream in enumerate(STREAMS):
        lines = [f'level=info msg="smtp relay ready" stream={number} n={n}' for n in range(15)]
        buffer.append(entries(lines, stream=stream, start_ns=1_796_385_600_000_000_000 + number))
    return buffer


@pytest.mark.parametrize("size", [(80, 24), (120, 32)], ids=["80x24", "120x32"])
async def test_message_keeps_room_beside_label_columns(size: tuple[int, int]) -> None:
    buffer = labelled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        view = app.log_view
        width = view.scrollable_content_region.width
        prefix = view._row_format.prefix_cells

        label_cells = prefix - 19
        assert label_cells <= int(width * 0.4)
        assert width - prefix >= min(40, width // 2)
        for row in app.screen_lines():
            assert 'level=info msg="smtp relay' in row
        if size[0] < 100:
            assert "hostname" not in view.visible_labels
        assert view.visible_labels[0] == "service_name"
        assert any("…" in row[:prefix] for row in app.screen_lines())


def test_fit_drops_host_then_service_and_cuts() -> None:
    names = ("service_name", "task_id", "hostname")
    cells = (24, 24, 24)

    assert fit_label_columns(names, cells, 200, 19) == (names, cells)

    kept, widths = fit_label_columns(names, cells, 120, 19)
    assert kept == names
    assert sum(width + 1 for width in widths) <= 48

    kept, widths = fit_label_columns(names, cells, 80, 19)
    assert kept == ("service_name", "task_id")
    assert 80 - 19 - sum(width + 1 for width in widths) >= 40

    kept, widths = fit_label_columns(names, cells, 60, 19)
    assert kept == ("task_id",)
    assert 60 - 19 - sum(width + 1 for width in widths) >= 30

    assert fit_label_columns(names, cells, 40, 19) == ((), ())
