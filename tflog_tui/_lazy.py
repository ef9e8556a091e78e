"""Lazy re-exports for package `__init__` modules (PEP 562).

A package re-exports names from its submodules without importing them up
front, so importing one light submodule does not load the heavy ones (the
parser and evaluator, httpx, websockets, aiohttp) before they are used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], submodule_of: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Build a package's module `__getattr__` and `__dir__` for names defined in submodules.

    `submodule_of` maps each re-exported name to the module that defines it.
    The first access imports that module and caches the value in `namespace`
    (the package's `globals()`), so later accesses are plain lookups.
    """

    def __getattr__(name: str) -> object:
        module_name = submodule_of.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")

        value = getattr(importlib.import_module(module_name), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(submodule_of))

    return __getattr__, __dir__
