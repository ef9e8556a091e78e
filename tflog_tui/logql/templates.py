"""The subset of Go text/template that `line_format` and `label_format` use.

A template compiles once (`Template(text)`) and renders per entry with the
entry's labels as the data map, plus the `__line__` and `__timestamp__`
functions. It follows Go's rules where a user sees them. A missing label
prints `<no value>`, and passing one to a function that needs a string is an
execution error. `if` treats "" as false, and numbers print as Go's `%v`
prints them. The functions are those Loki documents for templates
(Go's built-ins, the `strings` names such as `ToUpper`, and the Sprig names
such as `default`, `trimPrefix`, `replace`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tflog_tui.logql.gofmt import MISSING, GoTime, go_string, go_type_name, is_true
from tflog_tui.logql.template_functions import FUNCTIONS, TemplateExecError, check_arg

__all__ = ["Template", "TemplateExecError", "TemplateSyntaxError"]


class TemplateSyntaxError(ValueError):
    """A template that does not parse; the message names the position and the problem."""


# --- lexer ---------------------------------------------------------------------

_ACTION_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<raw>`[^`]*`)
    | (?P<string>"(?:[^"\\\n]|\\.)*")
    | (?P<char>'(?:[^'\\\n]|\\.)+')
    | (?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?))
    | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
    | (?P<variable>\$[A-Za-z0-9_]*)
    | (?P<declare>:=)
    | (?P<assign>=)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<dot>\.)
    | (?P<punct>[()|,])
    """,
    re.VERBOSE,
)


@dataclass(slots=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokenize_action(body: str, offset: int) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(body):
        match = _ACTION_TOKEN.match(body, position)
        if match is None:
            raise TemplateSyntaxError(
                f"template: unexpected {body[position]!r} in action at offset {offset + position}"
            )
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(0), offset + position))
        position = match.end()
    return tokens


def _unquote_go(text: str) -> str:
    """Decode a Go interpreted string literal (with the quotes)."""
    body = text[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    index = 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
    while index < len(body):
        char = body[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        escape = body[index + 1]
        if escape in simple:
            out.append(simple[escape])
            index += 2
        elif escape in "\\\"'":
            out.append(escape)
            index += 2
        elif escape == "x":
            out.append(chr(int(body[index + 2 : index + 4], 16)))
            index += 4
        elif escape == "u":
            out.append(chr(int(body[index + 2 : index + 6], 16)))
            index += 6
        elif escape == "U":
            out.append(chr(int(body[index + 2 : index + 10], 16)))
            index += 10
        elif escape in "01234567":
            out.append(chr(int(body[index + 1 : index + 4], 8)))
            index += 4
        else:
            raise TemplateSyntaxError(f"template: invalid escape \\{escape} in string {text}")
    return "".join(out)


# --- syntax tree -----------------------------------------------------------------


@dataclass(slots=True)
class _Field:
    names: tuple[str, ...]
    receiver: object = None  # None: dot; a _Variable or a _Pipeline otherwise


@dataclass(slots=True)
class _Variable:
    name: str
    names: tuple[str, ...] = ()


@dataclass(slots=True)
class _Literal:
    value: object


@dataclass(slots=True)
class _Identifier:
    name: str


@dataclass(slots=True)
class _Dot:
    pass


@dataclass(slots=True)
class _Command:
    args: list[object]


@dataclass(slots=True)
class _Pipeline:
    commands: list[_Command]
    declare: list[str] = field(default_factory=list)
    is_assign: bool = False


@dataclass(slots=True)
class _Text:
    text: str


@dataclass(slots=True)
class _Action:
    pipeline: _Pipeline


@dataclass(slots=True)
class _Branch:
    kind: str  # "if", "with" or "range"
    pipeline: _Pipeline
    body: list[object]
    else_body: list[object] | None = None


# --- parser ----------------------------------------------------------------------

# An action runs to the first `}}` outside string literals and comments, so
# `{{ printf "}}" }}` is one action as in Go.
_ACTION_RE = re.compile(
    r"""\{\{(-\s)?
    ((?:"(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)*'|/\*.*?\*/|[^"`'/}]|/(?!\*)|\}(?!\}))*?)
    (\s-)?\}\}""",
    re.DOTALL | re.VERBOSE,
)
_COMMENT_RE = re.compile(r"\s*/\*.*\*/\s*", re.DOTALL)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text

    def parse(self) -> list[object]:
        items = self._split()
        position = 0

        def parse_list(terminators: tuple[str, ...]) -> tuple[list[object], str, _Pipeline | None]:
            nonlocal position
            nodes: list[object] = []
            while position < len(items):
                item = items[position]
                position += 1
                if isinstance(item, _Text):
                    if item.text:
                        nodes.append(item)
                    continue

                tokens, offset = item
                if not tokens:
                    raise TemplateSyntaxError(
                        f"template: missing value for command at offset {offset}"
                    )
                head = tokens[0]
                if head.kind == "ident" and head.text in ("if", "with", "range"):
                    branch = self._parse_branch(head.text, tokens[1:], offset, parse_list)
                    nodes.append(branch)
                    continue
                if head.kind == "ident" and head.text in ("end", "else"):
                    if head.text not in terminators:
                        raise TemplateSyntaxError(
                            f"template: unexpected {{{{{head.text}}}}} at offset {offset}"
                        )
                    else_if: _Pipeline | None = None
                    if head.text == "else" and len(tokens) > 1:
                        if tokens[1].text not in ("if", "with"):
                            raise TemplateSyntaxError(
                                f"template: unexpected {tokens[1].text!r} after else"
                            )
                        # The branch kind rides in front of the condition until the
                        # caller builds the nested branch from it.
                        else_if = self._parse_pipeline(tokens[2:], offset)
                        else_if.commands[0].args.insert(0, _Identifier(tokens[1].text))
                    return nodes, head.text, else_if
                if head.kind == "ident" and head.text in (
                    "define",
                    "template",
                    "block",
                    "break",
                    "continue",
                ):
                    raise TemplateSyntaxError(f"template: {{{{{head.text}}}}} is not supported")
                nodes.append(_Action(self._parse_pipeline(tokens, offset)))
            if terminators:
                raise TemplateSyntaxError("template: unexpected EOF: missing {{end}}")
            return nodes, "", None

        nodes, _, _ = parse_list(())
        return nodes

    def _parse_branch(
        self,
        kind: str,
        tokens: list[_Token],
        offset: int,
        parse_list: Callable[[tuple[str, ...]], tuple[list[object], str, _Pipeline | None]],
    ) -> _Branch:
        if not tokens:
            raise TemplateSyntaxError(f"template: missing value for {kind} at offset {offset}")
        pipeline = self._parse_pipeline(tokens, offset)
        body, terminator, else_if = parse_list(("end", "else"))
        branch = _Branch(kind, pipeline, body)
        if terminator == "else":
            if else_if is not None:
                # `{{else if x}}` is an `if` nested in the else branch, sharing the `{{end}}`.
                head = else_if.commands[0].args[0]
                assert isinstance(head, _Identifier)
                else_if.commands[0].args.pop(0)
                nested_body, nested_terminator, nested_else_if = parse_list(("end", "else"))
                nested = _Branch(head.name, else_if, nested_body)
                self._finish_else(nested, nested_terminator, nested_else_if, parse_list)
                branch.else_body = [nested]
            else:
                else_body, _, _ = parse_list(("end",))
                branch.else_body = else_body
        return branch

    def _finish_else(
        self,
        branch: _Branch,
        terminator: str,
        else_if: _Pipeline | None,
        parse_list: Callable[[tuple[str, ...]], tuple[list[object], str, _Pipeline | None]],
    ) -> None:
        if terminator != "else":
            return
        if else_if is None:
            branch.else_body, _, _ = parse_list(("end",))
            return
        head = else_if.commands[0].args.pop(0)
        assert isinstance(head, _Identifier)
        body, next_terminator, next_else_if = parse_list(("end", "else"))
        nested = _Branch(head.name, else_if, body)
        self._finish_else(nested, next_terminator, next_else_if, parse_list)
        branch.else_body = [nested]

    def _split(self) -> list[Any]:
        items: list[Any] = []
        position = 0
        trim_next = False
        text = self.text
        while True:
            start = text.find("{{", position)
            if start < 0:
                chunk = text[position:]
                items.append(_Text(chunk.lstrip() if trim_next else chunk))
                break
            match = _ACTION_RE.match(text, start)
            if match is None:
                raise TemplateSyntaxError(f"template: unclosed action starting at offset {start}")
            chunk = text[position:start]
            if trim_next:
                chunk = chunk.lstrip()
            if match.group(1):
                chunk = chunk.rstrip()
            items.append(_Text(chunk))
            body = match.group(2)
            trim_next = bool(match.group(3))
            position = match.end()
            if body.startswith("/*") or _COMMENT_RE.fullmatch(body):
                if not body.strip().endswith("*/"):
                    raise TemplateSyntaxError(f"template: unclosed comment at offset {start}")
                continue
            body_offset = match.start(2)
            items.append((_tokenize_action(body, body_offset), start))
        return items

    def _parse_pipeline(self, tokens: list[_Token], offset: int) -> _Pipeline:
        position = 0
        declare: list[str] = []
        is_assign = False

        # Variable declarations: `$x :=`, `$i, $v :=`, or `$x =`.
        scan = 0
        names: list[str] = []
        while scan < len(tokens) and tokens[scan].kind == "variable":
            names.append(tokens[scan].text)
            scan += 1
            if scan < len(tokens) and tokens[scan].text == ",":
                scan += 1
                continue
            break
        if names and scan < len(tokens) and tokens[scan].kind in ("declare", "assign"):
            declare = names
            is_assign = tokens[scan].kind == "assign"
            position = scan + 1

        commands: list[_Command] = []
        args: list[object] = []
        depth_tokens = tokens[position:]
        index = 0
        while index < len(depth_tokens):
            token = depth_tokens[index]
            if token.text == "|" and token.kind == "punct":
                if not args:
                    raise TemplateSyntaxError(
                        f"template: missing command before '|' at offset {token.position}"
                    )
                commands.append(_Command(args))
                args = []
                index += 1
                continue
            operand, index = self._parse_operand(depth_tokens, index)
            args.append(operand)
        if not args:
            raise TemplateSyntaxError(f"template: missing value for command at offset {offset}")
        commands.append(_Command(args))
        return _Pipeline(commands, declare, is_assign)

    def _parse_parenthesized(self, tokens: list[_Token], index: int) -> tuple[object, int]:
        """Parse `( pipeline )` whose `(` is at `index - 1`, and a `.field` after it if any."""
        opening = tokens[index - 1]
        depth = 1
        end = index
        while end < len(tokens) and depth:
            if tokens[end].text == "(" and tokens[end].kind == "punct":
                depth += 1
            elif tokens[end].text == ")" and tokens[end].kind == "punct":
                depth -= 1
            end += 1
        if depth:
            raise TemplateSyntaxError(f"template: unclosed left paren at offset {opening.position}")

        inner = self._parse_pipeline(tokens[index : end - 1], opening.position)
        if end < len(tokens) and tokens[end].kind == "field":
            names = tuple(tokens[end].text[1:].split("."))
            return _Field(names, inner), end + 1
        return inner, end

    def _parse_operand(self, tokens: list[_Token], index: int) -> tuple[object, int]:
        token = tokens[index]
        kind = token.kind
        index += 1
        if kind == "punct" and token.text == "(":
            return self._parse_parenthesized(tokens, index)

        if kind == "field":
            return _Field(tuple(token.text[1:].split("."))), index
        if kind == "variable":
            if index < len(tokens) and tokens[index].kind == "field":
                names = tuple(tokens[index].text[1:].split("."))
                return _Variable(token.text, names), index + 1
            return _Variable(token.text), index
        if kind == "dot":
            return _Dot(), index

        if kind == "string":
            try:
                return _Literal(_unquote_go(token.text)), index
            except (ValueError, IndexError) as error:
                raise TemplateSyntaxError(f"template: invalid string {token.text}") from error
        if kind == "raw":
            return _Literal(token.text[1:-1]), index
        if kind == "char":
            return _Literal(ord(_unquote_go('"' + token.text[1:-1] + '"'))), index
        if kind == "number":
            return _Literal(_parse_number(token.text)), index

        if kind == "ident":
            if token.text == "true":
                return _Literal(True), index
            if token.text == "false":
                return _Literal(False), index
            if token.text == "nil":
                return _Literal(None), index
            if token.text not in FUNCTIONS and token.text not in ("__line__", "__timestamp__"):
                raise TemplateSyntaxError(f'template: function "{token.text}" not defined')
            return _Identifier(token.text), index
        raise TemplateSyntaxError(
            f"template: unexpected {token.text!r} in operand at offset {token.position}"
        )


def _parse_number(text: str) -> int | float:
    cleaned = text.replace("_", "")
    try:
        if cleaned.lower().lstrip("+-").startswith("0x"):
            return int(cleaned, 16)
        if re.fullmatch(r"[+-]?\d+", cleaned):
            return int(cleaned, 10)
        return float(cleaned)
    except ValueError as error:
        raise TemplateSyntaxError(f"template: bad number syntax: {text!r}") from error


# --- executor --------------------------------------------------------------------


class _Executor:
    __slots__ = ("data", "line", "out", "scopes", "ts_ns")

    def __init__(self, data: Mapping[str, str], line: str, ts_ns: int) -> None:
        self.data = data
        self.line = line
        self.ts_ns = ts_ns
        self.out: list[str] = []
        self.scopes: list[dict[str, object]] = [{"$": data}]

    def run(self, nodes: list[object], dot: object) -> None:
        for node in nodes:
            if isinstance(node, _Text):
                self.out.append(node.text)
            elif isinstance(node, _Action):
                value = self.pipeline(node.pipeline, dot)
                if not node.pipeline.declare:
                    self.out.append(go_string(value))
            else:
                assert isinstance(node, _Branch)
                self.branch(node, dot)

    def branch(self, node: _Branch, dot: object) -> None:
        self.scopes.append({})
        try:
            value = self.pipeline(node.pipeline, dot, declare_range=node.kind == "range")
            if node.kind == "range":
                self.range(node, value, dot)
                return
            if is_true(value):
                self.run(node.body, value if node.kind == "with" else dot)
            elif node.else_body is not None:
                self.run(node.else_body, dot)
        finally:
            self.scopes.pop()

    def range(self, node: _Branch, value: object, dot: object) -> None:
        items: list[tuple[object, object]]
        if isinstance(value, Mapping):
            items = [(key, value[key]) for key in sorted(value)]
        elif isinstance(value, list | tuple):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [(i, i) for i in range(value)]
        elif value is None or value is MISSING or value == "":
            items = []
        else:
            raise TemplateExecError(f"range can't iterate over {go_string(value)}")

        if not items:
            if node.else_body is not None:
                self.run(node.else_body, dot)
            return
        names = node.pipeline.declare
        for key, item in items:
            if len(names) == 1:
                self.scopes[-1][names[0]] = item
            elif len(names) == 2:
                self.scopes[-1][names[0]] = key
                self.scopes[-1][names[1]] = item
            self.run(node.body, item)

    def pipeline(self, pipe: _Pipeline, dot: object, declare_range: bool = False) -> object:
        value: object = MISSING
        has_value = False
        for command in pipe.commands:
            value = self.command(command, dot, value if has_value else None, has_value)
            has_value = True
        if pipe.declare and not declare_range:
            if pipe.is_assign:
                for scope in reversed(self.scopes):
                    if pipe.declare[0] in scope:
                        scope[pipe.declare[0]] = value
                        break
                else:
                    raise TemplateExecError(f"undefined variable: {pipe.declare[0]}")
            else:
                self.scopes[-1][pipe.declare[0]] = value
        return value

    def command(self, command: _Command, dot: object, final: object, has_final: bool) -> object:
        head = command.args[0]
        if isinstance(head, _Identifier):
            return self.call(head.name, command.args[1:], dot, final, has_final)
        if len(command.args) > 1 or has_final:
            raise TemplateExecError(f"can't give argument to non-function {self._describe(head)}")
        return self.evaluate(head, dot)

    def call(
        self, name: str, arg_nodes: list[object], dot: object, final: object, has_final: bool
    ) -> object:
        if name == "__line__":
            return self.line
        if name == "__timestamp__":
            return GoTime(self.ts_ns)

        if name in ("and", "or"):
            # Arguments are evaluated lazily: `and` stops at the first false one,
            # `or` at the first true one, and the deciding value is the result.
            count = len(arg_nodes) + (1 if has_final else 0)
            if count == 0:
                raise TemplateExecError(f"wrong number of args for {name}: want at least 1 got 0")
            result: object = MISSING
            for position in range(count):
                result = (
                    final if position == len(arg_nodes) else self.evaluate(arg_nodes[position], dot)
                )
                if (name == "and") != is_true(result):
                    return result
            return result

        function = FUNCTIONS[name]
        args = [self.evaluate(node, dot) for node in arg_nodes]
        if has_final:
            args.append(final)
        fixed = len(function.params)
        if len(args) < fixed or (not function.variadic and len(args) > fixed):
            want = f"at least {fixed}" if function.variadic else str(fixed)
            raise TemplateExecError(f"wrong number of args for {name}: want {want} got {len(args)}")
        checked = [
            check_arg(name, kind, arg) for kind, arg in zip(function.params, args, strict=False)
        ]
        checked.extend(check_arg(name, function.variadic, arg) for arg in args[fixed:])
        try:
            return function.call(*checked)
        except TemplateExecError:
            raise
        except (ValueError, TypeError, OverflowError, ZeroDivisionError, UnicodeError) as error:
            raise TemplateExecError(f"error calling {name}: {error}") from error

    def evaluate(self, node: object, dot: object) -> object:
        if isinstance(node, _Field):
            if node.receiver is None:
                receiver = dot
            elif isinstance(node.receiver, _Pipeline):
                receiver = self.pipeline(node.receiver, dot)
            else:
                receiver = self.evaluate(node.receiver, dot)
            return self.fields(receiver, node.names)
        if isinstance(node, _Literal):
            return node.value
        if isinstance(node, _Variable):
            for scope in reversed(self.scopes):
                if node.name in scope:
                    return self.fields(scope[node.name], node.names)
            raise TemplateExecError(f"undefined variable: {node.name}")
        if isinstance(node, _Dot):
            return dot
        if isinstance(node, _Pipeline):
            return self.pipeline(node, dot)
        if isinstance(node, _Identifier):
            return self.call(node.name, [], dot, None, False)
        raise TemplateExecError(f"cannot evaluate {node!r}")

    def fields(self, receiver: object, names: tuple[str, ...]) -> object:
        current = receiver
        for name in names:
            if isinstance(current, Mapping):
                current = current.get(name, MISSING)
            elif current is MISSING or current is None:
                raise TemplateExecError(f"nil pointer evaluating interface {{}}.{name}")
            else:
                raise TemplateExecError(
                    f"can't evaluate field {name} in type {go_type_name(current)}"
                )
        return current

    @staticmethod
    def _describe(node: object) -> str:
        if isinstance(node, _Field):
            return "." + ".".join(node.names)
        if isinstance(node, _Literal):
            return go_string(node.value)
        return type(node).__name__.lstrip("_").lower()


class Template:
    """A compiled Go text/template; raises TemplateSyntaxError when the text does not parse."""

    __slots__ = ("_nodes", "_static", "text", "uses_line", "uses_timestamp")

    def __init__(self, text: str) -> None:
        self.text = text
        self._nodes = _Parser(text).parse()
        self._static: str | None = None
        if all(isinstance(node, _Text) for node in self._nodes):
            self._static = "".join(node.text for node in self._nodes if isinstance(node, _Text))
        self.uses_line = "__line__" in text
        self.uses_timestamp = "__timestamp__" in text

    def render(self, data: Mapping[str, str], line: str = "", ts_ns: int = 0) -> str:
        """Render with `data` as the labels map; raises TemplateExecError when a step fails.

        `line` is what `__line__` returns; `ts_ns` (nanoseconds since the epoch)
        is what `__timestamp__` returns.
        """
        if self._static is not None:
            return self._static
        executor = _Executor(data, line, ts_ns)
        try:
            executor.run(self._nodes, data)
        except RecursionError as error:
            raise TemplateExecError("template nesting too deep") from error
        return "".join(executor.out)
