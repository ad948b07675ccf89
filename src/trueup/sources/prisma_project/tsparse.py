"""Expressions of a Prisma config file as a small tree, read from its tokens without
running it. The forms a config file uses are understood: literals, object and array
literals, names, member access, calls, ``??``, ``||``, ``&&``, ``+``, and the type
operators ``as`` / ``satisfies`` / ``!``, which change no value. Anything else becomes an
:class:`Unsupported` node, which is an error only if its value is ever needed (a config
may hold functions, conditions and the like where trueup never looks)."""

from __future__ import annotations

from trueup.sources.prisma_project.tstokens import Token

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")", "]", "}"}
#: Binary operators, loosest first; each level binds tighter than the one before.
_LEVELS = (("??", "||"), ("&&",), ("+",))
_LITERALS = {"true": True, "false": False, "null": None}
_KEYWORDS = ("async", "await", "class", "delete", "function", "new", "typeof", "void", "yield")
_STATEMENTS = ("export", "import", "const", "let", "var", "function", "module")


class Node:
    __slots__ = ("token",)

    def __init__(self, token: Token) -> None:
        self.token = token  # where the expression starts


class Lit(Node):
    __slots__ = ("value",)

    def __init__(self, token: Token, value: object) -> None:
        super().__init__(token)
        self.value = value


class Template(Node):
    __slots__ = ("parts",)

    def __init__(self, token: Token, parts: tuple[str | Node, ...]) -> None:
        super().__init__(token)
        self.parts = parts


class Name(Node):
    __slots__ = ("name",)

    def __init__(self, token: Token, name: str) -> None:
        super().__init__(token)
        self.name = name


class Member(Node):
    __slots__ = ("name", "target")

    def __init__(self, token: Token, target: Node, name: str) -> None:
        super().__init__(token)
        self.target = target
        self.name = name


class Index(Node):
    __slots__ = ("key", "target")

    def __init__(self, token: Token, target: Node, key: Node) -> None:
        super().__init__(token)
        self.target = target
        self.key = key


class Call(Node):
    __slots__ = ("args", "callee")

    def __init__(self, token: Token, callee: Node, args: tuple[Node, ...]) -> None:
        super().__init__(token)
        self.callee = callee
        self.args = args


class Binary(Node):
    __slots__ = ("left", "op", "right")

    def __init__(self, token: Token, op: str, left: Node, right: Node) -> None:
        super().__init__(token)
        self.op = op
        self.left = left
        self.right = right


class Entry:
    """One property of an object literal: ``key`` None is a spread (``...x``) or a
    computed key (``[k]: v``), which hides what the object holds from a reader."""

    __slots__ = ("key", "token", "value")

    def __init__(self, key: str | None, value: Node, token: Token) -> None:
        self.key = key
        self.value = value
        self.token = token


class Obj(Node):
    __slots__ = ("entries",)

    def __init__(self, token: Token, entries: tuple[Entry, ...] = ()) -> None:
        super().__init__(token)
        self.entries = entries


class Arr(Node):
    __slots__ = ("items",)

    def __init__(self, token: Token, items: tuple[Node, ...] = ()) -> None:
        super().__init__(token)
        self.items = items


class Unsupported(Node):
    """An expression trueup does not evaluate; ``token`` is where it stops making sense."""

    __slots__ = ()


def split(tokens: tuple[Token, ...], start: int, stop: int) -> list[tuple[int, int]]:
    """The comma-separated spans of tokens[start:stop], brackets kept together."""
    spans, depth, begin = [], 0, start
    for i in range(start, stop):
        text = tokens[i].text if tokens[i].kind == "punct" else ""
        if text in _OPEN:
            depth += 1
        elif text in _CLOSE:
            depth -= 1
        elif text == "," and depth == 0:
            spans.append((begin, i))
            begin = i + 1
    if begin < stop:
        spans.append((begin, stop))
    return spans


def closing(tokens: tuple[Token, ...], at: int) -> int:
    """The index of the bracket that closes the one at ``at`` (or of the end)."""
    depth = 0
    for i in range(at, len(tokens)):
        text = tokens[i].text if tokens[i].kind == "punct" else ""
        if text in _OPEN:
            depth += 1
        elif text in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return len(tokens) - 1


def expression_end(tokens: tuple[Token, ...], at: int) -> int:
    """Where the expression starting at ``at`` ends: the first ``,``, ``;`` or closing
    bracket outside brackets, or the start of a new top-level statement."""
    depth = 0
    for i in range(at, len(tokens)):
        token = tokens[i]
        if token.kind == "eof":
            return i
        text = token.text if token.kind == "punct" else ""
        if text in _OPEN:
            depth += 1
        elif text in _CLOSE:
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0 and (text in (",", ";") or (i > at and _new_statement(tokens, i))):
            return i
    return len(tokens) - 1


def _new_statement(tokens: tuple[Token, ...], i: int) -> bool:
    """A statement keyword on a new line (a file without semicolons)."""
    if tokens[i].kind != "name" or tokens[i].text not in _STATEMENTS:
        return False
    return tokens[i].line > tokens[i - 1].line


def parse(tokens: tuple[Token, ...], start: int, stop: int) -> Node:
    """The expression that tokens[start:stop] are, or :class:`Unsupported`."""
    if start >= stop:
        return Unsupported(tokens[min(start, len(tokens) - 1)])
    parser = _Parser(tokens, stop)
    parser.at = start
    try:
        node = parser.binary(0)
    except _Stop as stop_at:
        return Unsupported(stop_at.token)
    if parser.at < stop:
        return Unsupported(tokens[parser.at])
    return node


class _Stop(Exception):
    def __init__(self, token: Token) -> None:
        self.token = token


class _Parser:
    def __init__(self, tokens: tuple[Token, ...], stop: int) -> None:
        self.tokens = tokens
        self.stop = stop
        self.at = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < self.stop else None

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (token := self.peek()) is not None and token.kind == "punct":
            if token.text not in _LEVELS[level]:
                break
            self.at += 1
            right = self.binary(level + 1)
            left = Binary(left.token, token.text, left, right)
        return left

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise _Stop(self.tokens[self.stop - 1])
        if token.kind == "punct" and token.text in ("!", "-", "+", "~", "..."):
            raise _Stop(token)
        if token.kind == "name" and token.text in _KEYWORDS:
            raise _Stop(token)
        return self.postfix(self.primary())

    def primary(self) -> Node:
        token = self.tokens[self.at]
        self.at += 1
        if token.kind == "str":
            return Lit(token, token.text)
        if token.kind == "num":
            return Lit(token, _number(token))
        if token.kind == "tpl":
            return Template(token, tuple(_template_part(p) for p in token.parts))
        if token.kind == "name":
            if token.text in _LITERALS:
                return Lit(token, _LITERALS[token.text])
            if self.peek() is not None and self.peek().is_("=>"):  # type: ignore[union-attr]
                raise _Stop(token)
            return Name(token, token.text)
        if token.is_("("):
            end = closing(self.tokens, self.at - 1)
            if end + 1 < len(self.tokens) and self.tokens[end + 1].is_("=>"):
                raise _Stop(token)  # an arrow function
            inner = parse(self.tokens, self.at, end)
            self.at = end + 1
            if isinstance(inner, Unsupported):
                raise _Stop(inner.token)
            return inner
        if token.is_("{"):
            end = closing(self.tokens, self.at - 1)
            node = Obj(token, tuple(self._entries(self.at, end)))
            self.at = end + 1
            return node
        if token.is_("["):
            end = closing(self.tokens, self.at - 1)
            items = tuple(parse(self.tokens, a, b) for a, b in split(self.tokens, self.at, end))
            self.at = end + 1
            return Arr(token, items)
        raise _Stop(token)

    def postfix(self, node: Node) -> Node:
        while (token := self.peek()) is not None:
            nxt = self.tokens[self.at + 1] if self.at + 1 < self.stop else None
            if (token.is_(".") or token.is_("?.")) and nxt is not None and nxt.kind == "name":
                node = Member(node.token, node, nxt.text)
                self.at += 2
            elif token.is_("?.") and nxt is not None and nxt.kind == "punct":
                self.at += 1  # `a?.[k]`, `f?.()`: the bracket comes next
            elif token.is_("["):
                end = closing(self.tokens, self.at)
                node = Index(node.token, node, parse(self.tokens, self.at + 1, end))
                self.at = end + 1
            elif token.is_("("):
                end = closing(self.tokens, self.at)
                spans = split(self.tokens, self.at + 1, end)
                node = Call(node.token, node, tuple(parse(self.tokens, a, b) for a, b in spans))
                self.at = end + 1
            elif token.is_("<") and node_is_callee(node):
                node = self._type_arguments(node)
            elif token.is_("!"):
                self.at += 1  # TypeScript's non-null assertion
            elif token.kind == "name" and token.text in ("as", "satisfies"):
                self.at += 1
                self._skip_type()
            else:
                break
        return node

    def _type_arguments(self, node: Node) -> Node:
        """``env<{…}>("X")``: type arguments before a call change nothing."""
        depth, i = 0, self.at
        while i < self.stop:
            text = self.tokens[i].text if self.tokens[i].kind == "punct" else ""
            depth += text == "<"
            depth -= text == ">"
            if depth == 0:
                break
            i += 1
        if i + 1 >= self.stop or not self.tokens[i + 1].is_("("):
            raise _Stop(self.tokens[self.at])
        self.at = i + 1
        return node

    def _skip_type(self) -> None:
        depth = 0
        while (token := self.peek()) is not None:
            text = token.text if token.kind == "punct" else ""
            if text in ("<", "(", "[", "{"):
                depth += 1
            elif text in (">", ")", "]", "}"):
                if depth == 0:
                    return
                depth -= 1
            elif depth == 0 and _ends_type(token):
                return
            self.at += 1

    def _entries(self, start: int, stop: int) -> list[Entry]:
        entries = []
        for a, b in split(self.tokens, start, stop):
            first = self.tokens[a]
            if first.is_("..."):
                entries.append(Entry(None, parse(self.tokens, a + 1, b), first))
            elif b - a >= 2 and self.tokens[a + 1].is_(":") and first.kind in ("name", "str"):
                entries.append(Entry(first.text, parse(self.tokens, a + 2, b), first))
            elif b - a == 1 and first.kind == "name":  # shorthand: `{ url }`
                entries.append(Entry(first.text, Name(first, first.text), first))
            elif first.kind == "name" and b - a >= 2 and self.tokens[a + 1].is_("("):
                entries.append(Entry(first.text, Unsupported(first), first))  # a method
            else:
                entries.append(Entry(None, Unsupported(first), first))
        return entries


def _ends_type(token: Token) -> bool:
    """A token that cannot continue a type after ``as`` / ``satisfies``."""
    if token.kind == "punct":
        return token.text not in (".", "|", "&")
    return token.kind == "name" and token.text in ("as", "satisfies")


def node_is_callee(node: Node) -> bool:
    return isinstance(node, (Name, Member))


def _template_part(part: str | tuple[Token, ...]) -> str | Node:
    if isinstance(part, str):
        return part
    return parse(part, 0, len(part))


def _number(token: Token) -> float:
    text = token.text.replace("_", "").rstrip("n")
    try:
        if text[:2].lower() in ("0x", "0o", "0b"):
            return float(int(text, 0))
        return float(text)
    except ValueError:
        return float("nan")
