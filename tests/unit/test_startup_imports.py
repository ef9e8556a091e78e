"""Start-up imports: modules the first frame does not need stay unloaded until used."""

import subprocess
import sys
from types import ModuleType

import pytest

import tflog_tui.embedded
import tflog_tui.logql
import tflog_tui.loki


def _loaded_after(statement: str, modules: list[str]) -> list[str]:
    """Run `statement` in a fresh interpreter; return which of `modules` it loaded."""
    check = (
        f"import sys\n{statement}\n"
        f"print('\\n' + ','.join(name for name in {modules!r} if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    last_line = result.stdout.splitlines()[-1] if result.stdout.strip() else ""
    return [name for name in last_line.split(",") if name]


HEAVY = ["aiohttp", "websockets", "httpx", "textual", "tflog_tui.logql.evaluator"]


@pytest.mark.parametrize(
    ("statement", "unwanted"),
    [
        ("import tflog_tui.cli", HEAVY),
        ("import tflog_tui.settings", HEAVY),
        ("import tflog_tui.logql.units", ["tflog_tui.logql.parser", *HEAVY]),
        ("import tflog_tui.loki.tail", ["websockets", "aiohttp", "textual"]),
        ("from tflog_tui.loki import LokiClient", ["websockets", "aiohttp", "textual"]),
        ("from tflog_tui.embedded import LogStore", ["aiohttp", "tflog_tui.embedded.server"]),
        ("import tflog_tui.ui.app", ["aiohttp", "websockets", "tflog_tui.logql.evaluator"]),
    ],
)
def test_import_leaves_heavy_modules(statement: str, unwanted: list[str]) -> None:
    assert _loaded_after(statement, unwanted) == []


def test_cli_version_loads_no_client() -> None:
    statement = (
        "from tflog_tui.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass"
    )
    assert _loaded_after(statement, HEAVY) == []


def test_embedded_server_loads_aiohttp() -> None:
    assert _loaded_after("from tflog_tui.embedded import EmbeddedLoki", ["aiohttp"]) == ["aiohttp"]


@pytest.mark.parametrize("package", [tflog_tui.logql, tflog_tui.loki, tflog_tui.embedded])
def test_package_exports_resolve(package: ModuleType) -> None:
    names = package.__all__

    for name in names:
        assert getattr(package, name) is not None, name
    assert set(names) <= set(dir(package))


def test_package_export_is_the_submodule_object() -> None:
    from tflog_tui.logql import LogQueryEvaluator
    from tflog_tui.logql.evaluator import LogQueryEvaluator as defined

    assert LogQueryEvaluator is defined


def test_package_unknown_name_raises() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchName'"):
        _ = tflog_tui.logql.NoSuchName  # type: ignore[attr-defined]
