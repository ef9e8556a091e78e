"""RE2 regular expressions (the syntax LogQL uses) compiled with Python's `re`.

The translation keeps RE2's meaning where the two differ in ways log queries
meet. `\\d`, `\\w` and `\\s` are ASCII classes, and `$` matches only at the end
of the text unless `(?m)` is set. Flag groups such as `(?i)` may appear
anywhere, `(?<name>...)` names a group, and `\\z`, `\\Q...\\E` and POSIX classes
such as `[[:alpha:]]` work. Constructs RE2 rejects (look-around, back-references,
possessive quantifiers) raise InvalidRegexError, as Loki rejects the query.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final


class InvalidRegexError(ValueError):
    """A regular expression that RE2 rejects or that has no Python equivalent."""


_POSIX_CLASSES: Final[dict[str, str]] = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}

_PERL_CLASSES: Final[dict[str, tuple[str, str]]] = {
    # name: (outside a class, inside a class)
    "d": ("[0-9]", "0-9"),
    "D": ("[^0-9]", ""),
    "w": ("[0-9A-Za-z_]", "0-9A-Za-z_"),
    "W": ("[^0-9A-Za-z_]", ""),
    "s": ("[\\t\\n\\f\\r ]", "\\t\\n\\f\\r "),
    "S": ("[^\\t\\n\\f\\r ]", ""),
}

_UNICODE_CLASSES: Final[dict[str, str]] = {
    "L": "[^\\W\\d_]",
    "Letter": "[^\\W\\d_]",
    "N": "\\d",
    "Nd": "\\d",
    "Greek": "[\\u0370-\\u03ff\\u1f00-\\u1fff]",
    "Cyrillic": "[\\u0400-\\u04ff]",
    "Han": "[\\u2e80-\\u2fdf\\u3005\\u3007\\u3021-\\u3029\\u3400-\\u4dbf\\u4e00-\\u9fff]",
    "Latin": "[A-Za-z\\u00c0-\\u024f]",
}

_FLAG_GROUP = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?\)")


def translate_re2(pattern: str) -> str:
    """Translate RE2 syntax to an equivalent Python `re` pattern; raises InvalidRegexError."""
    out: list[str] = []
    index = 0
    length = len(pattern)
    in_class = False
    class_start = 0
    multiline = bool(re.search(r"\(\?[imsU]*m[imsU]*[:)]", pattern))
    # Each open group records the scoped flag groups `(?i:` it must close when it ends.
    open_groups: list[list[str]] = [[]]

    while index < length:
        char = pattern[index]

        if char == "\\":
            if index + 1 >= length:
                raise InvalidRegexError(f"invalid regex {pattern!r}: trailing backslash")
            escape = pattern[index + 1]
            if escape == "Q":
                end = pattern.find("\\E", index + 2)
                literal = pattern[index + 2 :] if end < 0 else pattern[index + 2 : end]
                out.append(_escape_literal(literal, in_class))
                index = length if end < 0 else end + 2
                continue
            if escape.isdigit() and escape != "0":
                raise InvalidRegexError(
                    f"invalid regex {pattern!r}: RE2 has no back-references (\\{escape})"
                )
            if escape in _PERL_CLASSES:
                outside, inside = _PERL_CLASSES[escape]
                if in_class and inside:
                    out.append(inside)
                elif in_class:
                    out.append("\\" + escape)
                else:
                    out.append(outside)
                index += 2
                continue
            if escape == "z" and not in_class:
                out.append("\\Z")
                index += 2
                continue
            if escape in "pP":
                name, index = _read_unicode_class(pattern, index)
                if in_class or name not in _UNICODE_CLASSES:
                    raise InvalidRegexError(
                        f"invalid regex {pattern!r}: Unicode class \\{escape}{{{name}}} "
                        "is not supported here"
                    )
                translated = _UNICODE_CLASSES[name]
                if escape == "P":
                    translated = f"(?:(?!{translated}).)"
                out.append(translated)
                continue
            if escape == "x" and index + 2 < length and pattern[index + 2] == "{":
                end = pattern.find("}", index + 3)
                if end < 0:
                    raise InvalidRegexError(f"invalid regex {pattern!r}: unclosed \\x{{")
                code = int(pattern[index + 3 : end], 16)
                out.append(f"\\U{code:08x}")
                index = end + 1
                continue
            if escape in "ZCG" or (escape.isalpha() and escape not in "abfnrtvxAbBzdDsSwW"):
                raise InvalidRegexError(f"invalid regex {pattern!r}: invalid escape \\{escape}")
            out.append(pattern[index : index + 2])
            index += 2
            continue

        if in_class:
            if char == "[" and pattern.startswith("[:", index):
                end = pattern.find(":]", index + 2)
                if end >= 0:
                    name = pattern[index + 2 : end]
                    if name not in _POSIX_CLASSES:
                        raise InvalidRegexError(
                            f"invalid regex {pattern!r}: invalid class [:{name}:]"
                        )
                    out.append(_POSIX_CLASSES[name])
                    index = end + 2
                    continue
            if char == "[":
                out.append("\\[")
                index += 1
                continue
            if char == "]" and index > class_start:
                in_class = False
            out.append(char)
            index += 1
            continue

        if char == "[":
            in_class = True
            out.append("[")
            index += 1
            if index < length and pattern[index] == "^":
                out.append("^")
                index += 1
            # A `]` right after the opening bracket is a literal in both syntaxes.
            class_start = index + 1 if index < length and pattern[index] == "]" else index
            if index < length and pattern[index] == "]":
                out.append("\\]")
                index += 1
            continue

        if char == "(":
            if pattern.startswith("(?", index):
                flag_match = _FLAG_GROUP.match(pattern, index)
                if flag_match is not None:
                    on, off = flag_match.group(1), flag_match.group(2) or ""
                    if "U" in on + off:
                        raise InvalidRegexError(
                            f"invalid regex {pattern!r}: the U flag is not supported"
                        )
                    flags = on + ("-" + off if off else "")
                    if flags and flags != "-":
                        out.append(f"(?{flags}:")
                        open_groups[-1].append(flags)
                    index = flag_match.end()
                    continue
                if pattern.startswith("(?P<", index) or pattern.startswith("(?<", index):
                    start = index + (4 if pattern.startswith("(?P<", index) else 3)
                    if pattern.startswith("(?<=", index) or pattern.startswith("(?<!", index):
                        raise InvalidRegexError(
                            f"invalid regex {pattern!r}: look-behind is not supported by RE2"
                        )
                    end = pattern.find(">", start)
                    if end < 0:
                        raise InvalidRegexError(f"invalid regex {pattern!r}: unclosed group name")
                    out.append(f"(?P<{pattern[start:end]}>")
                    open_groups.append([])
                    index = end + 1
                    continue
                if pattern.startswith("(?:", index):
                    out.append("(?:")
                    open_groups.append([])
                    index += 3
                    continue
                flagged = re.match(r"\(\?([imsU]*)(?:-([imsU]*))?:", pattern[index:])
                if flagged is not None:
                    if "U" in (flagged.group(1) or "") + (flagged.group(2) or ""):
                        raise InvalidRegexError(
                            f"invalid regex {pattern!r}: the U flag is not supported"
                        )
                    out.append(flagged.group(0))
                    open_groups.append([])
                    index += len(flagged.group(0))
                    continue
                raise InvalidRegexError(
                    f"invalid regex {pattern!r}: invalid or unsupported Perl syntax "
                    f"at {pattern[index : index + 3]!r}"
                )
            out.append("(")
            open_groups.append([])
            index += 1
            continue

        if char == ")":
            if len(open_groups) == 1:
                raise InvalidRegexError(f"invalid regex {pattern!r}: unexpected )")
            out.append(")" * len(open_groups.pop()))
            out.append(")")
            index += 1
            continue

        if char == "|":
            # RE2 flags stay set across `|` until the group ends, so the scoped
            # groups close before the alternation and open again after it.
            scoped = open_groups[-1]
            out.append(")" * len(scoped))
            out.append("|")
            out.extend(f"(?{flags}:" for flags in scoped)
            index += 1
            continue

        if char in "*+?}" and index + 1 < length and pattern[index + 1] == "+":
            raise InvalidRegexError(
                f"invalid regex {pattern!r}: possessive quantifiers are not supported"
            )

        if char == "$" and not multiline:
            out.append("\\Z")
            index += 1
            continue

        out.append(char)
        index += 1

    if in_class:
        raise InvalidRegexError(f"invalid regex {pattern!r}: missing closing ]")
    if len(open_groups) > 1:
        raise InvalidRegexError(f"invalid regex {pattern!r}: missing closing )")
    out.append(")" * len(open_groups[0]))
    return "".join(out)


def _escape_literal(text: str, in_class: bool) -> str:
    if in_class:
        return "".join("\\" + c if c in "\\]^-[" else c for c in text)
    return re.escape(text)


def _read_unicode_class(pattern: str, index: int) -> tuple[str, int]:
    start = index + 2
    if start < len(pattern) and pattern[start] == "{":
        end = pattern.find("}", start)
        if end < 0:
            raise InvalidRegexError(f"invalid regex {pattern!r}: unclosed \\p{{")
        return pattern[start + 1 : end], end + 1
    return pattern[start : start + 1], start + 1


# NOTE: Python's `re` backtracks, so a pattern such as `(a+)+$` can take
# exponential time on a hostile line, where RE2 is linear. Loki is not exposed
# to this; the embedded server and client-side filtering are.
@lru_cache(maxsize=512)
def compile_re2(pattern: str, anchored: bool = False) -> re.Pattern[str]:
    """Compile an RE2 pattern; `anchored` makes it match the whole text, as label matchers do.

    Raises InvalidRegexError naming the pattern when it is not valid RE2.
    """
    translated = translate_re2(pattern)
    if anchored:
        translated = f"\\A(?:{translated})\\Z"
    try:
        return re.compile(translated)
    except re.error as error:
        raise InvalidRegexError(f"invalid regex {pattern!r}: {error}") from error
    except RecursionError as error:
        raise InvalidRegexError(f"invalid regex {pattern!r}: nested too deeply") from error


_EXPAND = re.compile(r"\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def expand_go_template(match: re.Match[str], template: str) -> str:
    """Expand `$1`, `${1}`, `$name` and `${name}` as Go's Regexp.Expand does.

    As in Go, `$1x` names the group "1x", and a group that does not exist
    expands to the empty string; `$$` is a literal `$`.
    """

    def replace(found: re.Match[str]) -> str:
        name = found.group(1) or found.group(2)
        if name is None:
            return "$"
        try:
            value = match.group(int(name)) if name.isdigit() else match.group(name)
        except IndexError:
            return ""
        return value or ""

    return _EXPAND.sub(replace, template)
