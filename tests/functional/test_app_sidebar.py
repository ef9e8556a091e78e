"""The sidebar: services, their tasks (newest first), the filter box and hostnames."""

from __future__ import annotations

from app_helpers import (
    BILLING_NEW_TASK,
    BILLING_OLD_TASK,
    MAILER_TASK,
    NOW_NS,
    PAYMENTS_CLEAN_TASK,
    PAYMENTS_FAILED_TASK,
    load_leveled_data,
    make_settings,
    wait_for,
)

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.pane import Pane


def tree_labels(app: TflogApp) -> list[str]:
    """Return the labels of the visible tree nodes, children indented by two spaces."""
    labels = []
    for node in app.sidebar.service_tree.root.children:
        labels.append(str(node.label))
        if node.is_expanded:
            labels.extend("  " + str(child.label) for child in node.children)
    return labels


def loaded(app: TflogApp) -> bool:
    return bool(app.sidebar.values)


async def test_sidebar_lists_services(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="services")

        assert app.sidebar.values == ["billing-sync", "mailer"]
        assert tree_labels(app) == ["billing-sync", "mailer"]


async def test_enter_opens_service_pane(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="services")
        app.sidebar.service_tree.focus()

        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")

        assert pane.state.query == '{service_name="billing-sync"}'
        assert len(pane.state.buffer) == 20
        assert pane.log_view.row_count == 20
        assert pane.log_view.has_focus


async def test_expand_lists_tasks_newest_first(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="services")
        app.sidebar.service_tree.focus()

        await pilot.press("space")
        await wait_for(
            pilot, lambda: "billing-sync" in app.sidebar.tasks_of, what="the task listing"
        )
        await pilot.pause(0.1)

        tasks = app.sidebar.tasks_of["billing-sync"]
        assert [task.task_id for task in tasks] == [BILLING_NEW_TASK, BILLING_OLD_TASK]
        assert tasks[0].last_seen_ns > tasks[1].last_seen_ns
        labels = tree_labels(app)
        assert labels[1].startswith(f"  {BILLING_NEW_TASK}  11:5")
        assert labels[2].startswith(f"  {BILLING_OLD_TASK}  11:2")


async def test_task_opens_pane_once(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="services")
        app.sidebar.service_tree.focus()
        await pilot.press("space")
        await wait_for(pilot, lambda: "billing-sync" in app.sidebar.tasks_of, what="tasks")
        await pilot.pause(0.1)

        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
        app.sidebar.service_tree.focus()
        await pilot.press("enter")
        await pilot.pause(0.2)

        expected = f'{{service_name="billing-sync", task_id="{BILLING_NEW_TASK}"}}'
        assert pane.state.query == expected
        assert pane.state.title == f"billing-sync/{BILLING_NEW_TASK}"
        assert len(pane.state.buffer) == 10
        assert len(app.panes()) == 1
        assert app.active_pane() is pane


async def test_filter_box_narrows_tree(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="services")
        app.sidebar.service_tree.focus()
        await pilot.press("down", "space")
        await wait_for(pilot, lambda: "mailer" in app.sidebar.tasks_of, what="tasks")

        app.sidebar.query_one("#sidebar-filter").focus()
        await pilot.press(*"mail")
        await pilot.pause(0.1)
        assert tree_labels(app)[0] == "mailer"
        assert all("billing" not in label for label in tree_labels(app))

        await pilot.press(*"xyz")
        await pilot.pause(0.1)
        assert tree_labels(app) == ["no match"]

        for _ in range(7):
            await pilot.press("backspace")
        await pilot.press(*"0bad")
        await pilot.pause(0.1)
        labels = tree_labels(app)
        assert labels[0] == "mailer"
        assert labels[1].startswith(f"  {MAILER_TASK}")


async def test_group_by_hostname(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="services")
        app.sidebar.service_tree.focus()

        await pilot.press("H")
        await wait_for(pilot, lambda: app.sidebar.values == ["web-1", "web-2"], what="hosts")
        await pilot.press("space")
        await wait_for(pilot, lambda: "web-1" in app.sidebar.children_of, what="host services")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")

        pane = app.query_one(Pane)
        assert tree_labels(app)[:2] == ["web-1", "  billing-sync"]
        assert pane.state.query == '{hostname="web-1", service_name="billing-sync"}'


def tree_screen_lines(app: TflogApp) -> list[str]:
    """Return the text of the tree's rows as drawn now."""
    tree = app.sidebar.service_tree
    rows = []
    for y in range(tree.scrollable_content_region.height):
        rows.append("".join(segment.text for segment in tree.render_line(y)))
    return rows


async def test_error_marks_services_and_tasks(fixed_server: EmbeddedLoki) -> None:
    load_leveled_data(fixed_server)
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="services")
        assert app.sidebar.values == ["billing-sync", "mailer", "payments"]
        assert app.sidebar.errors_of == {"payments": 4}
        assert tree_labels(app) == ["billing-sync", "mailer", "payments ✗ 4"]

        app.sidebar.service_tree.focus()
        await pilot.press("down", "down", "space")
        await wait_for(pilot, lambda: "payments" in app.sidebar.tasks_of, what="the task listing")
        await pilot.pause(0.1)

        tasks = {task.task_id: task.errors for task in app.sidebar.tasks_of["payments"]}
        assert tasks == {PAYMENTS_FAILED_TASK: 4, PAYMENTS_CLEAN_TASK: 0}
        labels = tree_labels(app)
        assert labels[2] == "payments ✗ 4"
        assert labels[3:] == [f"  {PAYMENTS_FAILED_TASK} ✗ 4", f"  {PAYMENTS_CLEAN_TASK} 11:31"]

        screen = tree_screen_lines(app)
        assert screen[2].rstrip() == "▼ payments ✗ 4"
        assert screen[3].rstrip() == f"├ {PAYMENTS_FAILED_TASK} ✗ 4"
        assert screen[4].rstrip() == f"└ {PAYMENTS_CLEAN_TASK} 11:31"

        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.1)
        labels = tree_labels(app)
        assert labels[3] == f"  {PAYMENTS_FAILED_TASK}  11:31 ✗ 4"
        assert labels[4] == f"  {PAYMENTS_CLEAN_TASK}  11:31"
