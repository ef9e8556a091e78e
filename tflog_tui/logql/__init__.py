"""LogQL: the syntax tree, parser, canonical printer and string escaping.

Each name below is imported from its submodule on first access (PEP 562), so
importing one light submodule such as `tflog_tui.logql.units` does not load the
parser, the evaluator and the template engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tflog_tui.logql.ast import (
        AndLabelFilter,
        BinaryOperation,
        BytesLabelFilter,
        Decolorize,
        DropLabels,
        DurationLabelFilter,
        Expr,
        Grouping,
        IpLabelFilter,
        JsonParser,
        KeepLabels,
        LabelExtraction,
        LabelFilter,
        LabelFilterExpr,
        LabelFormat,
        LabelRename,
        LabelReplace,
        LabelTemplate,
        LineFilter,
        LineFormat,
        LiteralExpr,
        LogfmtParser,
        LogQuery,
        LogRange,
        Matcher,
        MetricExpr,
        NumberLabelFilter,
        OrLabelFilter,
        PatternParser,
        RangeAggregation,
        RegexpParser,
        Stage,
        StringLabelFilter,
        UnpackParser,
        Unwrap,
        VectorAggregation,
        VectorExpr,
        VectorMatching,
    )
    from tflog_tui.logql.builder import DoesNotFitBuilder, QueryModel
    from tflog_tui.logql.errors import LogQLSyntaxError
    from tflog_tui.logql.escape import escape_regex, escape_string, quote
    from tflog_tui.logql.evaluator import LogQueryEvaluator, UnsupportedQueryError
    from tflog_tui.logql.parser import parse, parse_json_path, parse_log_query
    from tflog_tui.logql.printer import to_logql

_SUBMODULE_OF = {
    "AndLabelFilter": "tflog_tui.logql.ast",
    "BinaryOperation": "tflog_tui.logql.ast",
    "BytesLabelFilter": "tflog_tui.logql.ast",
    "Decolorize": "tflog_tui.logql.ast",
    "DropLabels": "tflog_tui.logql.ast",
    "DurationLabelFilter": "tflog_tui.logql.ast",
    "Expr": "tflog_tui.logql.ast",
    "Grouping": "tflog_tui.logql.ast",
    "IpLabelFilter": "tflog_tui.logql.ast",
    "JsonParser": "tflog_tui.logql.ast",
    "KeepLabels": "tflog_tui.logql.ast",
    "LabelExtraction": "tflog_tui.logql.ast",
    "LabelFilter": "tflog_tui.logql.ast",
    "LabelFilterExpr": "tflog_tui.logql.ast",
    "LabelFormat": "tflog_tui.logql.ast",
    "LabelRename": "tflog_tui.logql.ast",
    "LabelReplace": "tflog_tui.logql.ast",
    "LabelTemplate": "tflog_tui.logql.ast",
    "LineFilter": "tflog_tui.logql.ast",
    "LineFormat": "tflog_tui.logql.ast",
    "LiteralExpr": "tflog_tui.logql.ast",
    "LogQuery": "tflog_tui.logql.ast",
    "LogRange": "tflog_tui.logql.ast",
    "LogfmtParser": "tflog_tui.logql.ast",
    "Matcher": "tflog_tui.logql.ast",
    "MetricExpr": "tflog_tui.logql.ast",
    "NumberLabelFilter": "tflog_tui.logql.ast",
    "OrLabelFilter": "tflog_tui.logql.ast",
    "PatternParser": "tflog_tui.logql.ast",
    "RangeAggregation": "tflog_tui.logql.ast",
    "RegexpParser": "tflog_tui.logql.ast",
    "Stage": "tflog_tui.logql.ast",
    "StringLabelFilter": "tflog_tui.logql.ast",
    "UnpackParser": "tflog_tui.logql.ast",
    "Unwrap": "tflog_tui.logql.ast",
    "VectorAggregation": "tflog_tui.logql.ast",
    "VectorExpr": "tflog_tui.logql.ast",
    "VectorMatching": "tflog_tui.logql.ast",
    "DoesNotFitBuilder": "tflog_tui.logql.builder",
    "QueryModel": "tflog_tui.logql.builder",
    "LogQLSyntaxError": "tflog_tui.logql.errors",
    "escape_regex": "tflog_tui.logql.escape",
    "escape_string": "tflog_tui.logql.escape",
    "quote": "tflog_tui.logql.escape",
    "LogQueryEvaluator": "tflog_tui.logql.evaluator",
    "UnsupportedQueryError": "tflog_tui.logql.evaluator",
    "parse": "tflog_tui.logql.parser",
    "parse_json_path": "tflog_tui.logql.parser",
    "parse_log_query": "tflog_tui.logql.parser",
    "to_logql": "tflog_tui.logql.printer",
}
"""Module that defines each name this package re-exports."""


def __getattr__(name: str) -> object:
    """Import the submodule that defines `name`, cache the value in this module and return it."""
    module_name = _SUBMODULE_OF.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the module's attributes, the names not imported yet included."""
    return sorted(set(globals()) | set(_SUBMODULE_OF))


__all__ = [
    "AndLabelFilter",
    "BinaryOperation",
    "BytesLabelFilter",
    "Decolorize",
    "DoesNotFitBuilder",
    "DropLabels",
    "DurationLabelFilter",
    "Expr",
    "Grouping",
    "IpLabelFilter",
    "JsonParser",
    "KeepLabels",
    "LabelExtraction",
    "LabelFilter",
    "LabelFilterExpr",
    "LabelFormat",
    "LabelRename",
    "LabelReplace",
    "LabelTemplate",
    "LineFilter",
    "LineFormat",
    "LiteralExpr",
    "LogQLSyntaxError",
    "LogQuery",
    "LogQueryEvaluator",
    "LogRange",
    "LogfmtParser",
    "Matcher",
    "MetricExpr",
    "NumberLabelFilter",
    "OrLabelFilter",
    "PatternParser",
    "QueryModel",
    "RangeAggregation",
    "RegexpParser",
    "Stage",
    "StringLabelFilter",
    "UnpackParser",
    "UnsupportedQueryError",
    "Unwrap",
    "VectorAggregation",
    "VectorExpr",
    "VectorMatching",
    "escape_regex",
    "escape_string",
    "parse",
    "parse_json_path",
    "parse_log_query",
    "quote",
    "to_logql",
]
