"""The core layers must not import Textual or Rich: they run in scripts and servers."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tflog_tui

PACKAGE_DIR = Path(tflog_tui.__file__).parent


def _core_modules() -> list[str]:
    names = []
    for module in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="tflog_tui."):
        if module.name.startswith("tflog_tui.ui") or module.name.endswith("__main__"):
            continue
        names.append(module.name)
    return sorted(names)


@pytest.mark.parametrize("module", _core_modules())
def test_core_module_imports_no_ui(module: str) -> None:
    check = (
        f"import importlib, sys; importlib.import_module({module!r}); "
        "leaked = sorted(name for name in ('textual', 'rich') if name in sys.modules); "
        "print(','.join(leaked))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
