"""The values of a Prisma config file's expressions, worked out without running it.

What a config file computes its settings from is understood: string and number literals,
template literals, object and array literals, top-level ``const`` names, ``env("X")`` from
``prisma/config``, ``process.env.X`` / ``process.env["X"]``, ``??`` / ``||`` / ``&&`` /
``+``, Node's ``path.join`` / ``resolve`` / ``dirname``, ``__dirname``, ``import.meta.dirname``
and ``process.cwd()``. A value built any other way is an error naming its place, raised
only when that value is needed."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping

from trueup.errors import SchemaError
from trueup.sources.prisma_project.tsparse import (
    Arr,
    Binary,
    Call,
    Index,
    Lit,
    Member,
    Name,
    Node,
    Obj,
    Template,
    Unsupported,
)
from trueup.sources.prisma_project.tstokens import ConfigSource, Token


class _Undefined:
    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()


class ObjValue:
    """An object literal's value: its properties are worked out when read."""

    __slots__ = ("node",)

    def __init__(self, node: Obj) -> None:
        self.node = node


class Builtin:
    """A function or namespace of Node or Prisma the evaluator knows: ``"env"``,
    ``"defineConfig"``, ``"path"``, ``"path.join"``, ``"process.env"``, …"""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Builtin) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


#: What an imported name is: (module, exported name), "*" for a namespace import.
Imports = Mapping[str, tuple[str, str]]
_PATH_MODULES = ("path", "node:path", "path/posix", "node:path/posix")
_CONFIG_MODULES = ("prisma/config", "@prisma/config")
_FUNCTIONS = {
    ("prisma/config", "defineConfig"): "defineConfig",
    ("prisma/config", "env"): "env",
    ("url", "fileURLToPath"): "fileURLToPath",
    ("path", "join"): "path.join",
    ("path", "resolve"): "path.resolve",
    ("path", "dirname"): "path.dirname",
}
_MEMBERS = {
    ("path", "join"): "path.join",
    ("path", "resolve"): "path.resolve",
    ("path", "dirname"): "path.dirname",
    ("process", "env"): "process.env",
    ("process", "cwd"): "process.cwd",
    ("import", "meta"): "import.meta",
    ("url", "fileURLToPath"): "fileURLToPath",
}


def module_name(module: str) -> str:
    """The module as the evaluator knows it ("path", "prisma/config", "url"), or as
    written."""
    if module in _PATH_MODULES:
        return "path"
    if module in _CONFIG_MODULES:
        return "prisma/config"
    if module in ("url", "node:url"):
        return "url"
    return module


class Evaluator:
    """Values of one config file's expressions. ``bindings`` are its top-level ``const``
    names; ``environ`` gives the environment the config sees (asked for only when an
    expression reads it)."""

    def __init__(
        self,
        source: ConfigSource,
        imports: Imports,
        bindings: Mapping[str, Node],
        environ: Callable[[Token], Mapping[str, str]],
        cwd: str,
    ) -> None:
        self.source = source
        self.imports = imports
        self.bindings = bindings
        self.environ = environ
        self.cwd = cwd
        self._busy: set[str] = set()

    def fail(self, token: Token, message: str, hint: str | None = None) -> SchemaError:
        return self.source.error(token.line, token.column, message, hint)

    def unreadable(self, node: Node, what: str, instead: str) -> SchemaError:
        name = os.path.basename(self.source.path)
        return self.fail(
            node.token,
            f"trueup reads {name} without running it, and cannot work out {what} from this "
            "expression.",
            f"Pass {instead} instead.",
        )

    def value(self, node: Node, what: str, instead: str) -> object:
        """The value of ``node``. ``what`` names the setting and ``instead`` the option
        that gives it otherwise, for the error when trueup cannot work the value out."""
        return _Eval(self, what, instead).run(node)

    def entry(self, obj: ObjValue, key: str, what: str, instead: str) -> Node | None:
        """The node of ``obj[key]`` (the last one written), None if it has none."""
        for item in reversed(obj.node.entries):
            if item.key == key:
                return item.value
            if item.key is None:
                raise self.unreadable(Unsupported(item.token), what, instead)
        return None


class _Eval:
    def __init__(self, owner: Evaluator, what: str, instead: str) -> None:
        self.owner = owner
        self.what = what
        self.instead = instead

    def cannot(self, node: Node) -> SchemaError:
        return self.owner.unreadable(node, self.what, self.instead)

    def run(self, node: Node) -> object:
        if isinstance(node, Lit):
            return node.value
        if isinstance(node, Template):
            return "".join(p if isinstance(p, str) else to_string(self.run(p)) for p in node.parts)
        if isinstance(node, Obj):
            return ObjValue(node)
        if isinstance(node, Arr):
            return [self.run(item) for item in node.items]
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Member):
            return self.member(node, self.run(node.target), node.name)
        if isinstance(node, Index):
            key = self.run(node.key)
            if not isinstance(key, str):
                raise self.cannot(node.key)
            return self.member(node, self.run(node.target), key)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Binary):
            return self.binary(node)
        raise self.cannot(node)

    def name(self, node: Name) -> object:
        owner = self.owner
        if node.name in owner.bindings:
            if node.name in owner._busy:
                raise self.cannot(node)
            owner._busy.add(node.name)
            try:
                return self.run(owner.bindings[node.name])
            finally:
                owner._busy.discard(node.name)
        if node.name in owner.imports:
            module, export = owner.imports[node.name]
            module = module_name(module)
            if export == "*" or (export == "default" and module in ("path", "url", "process")):
                return Builtin(module)
            builtin = _FUNCTIONS.get((module, export))
            if builtin is None:
                raise self.cannot(node)
            return Builtin(builtin)
        if node.name in ("__dirname", "__filename"):
            path = os.path.abspath(owner.source.path)
            return os.path.dirname(path) if node.name == "__dirname" else path
        if node.name == "undefined":
            return UNDEFINED
        if node.name in ("process", "import"):
            return Builtin(node.name)
        raise self.cannot(node)

    def member(self, node: Node, target: object, key: str) -> object:
        path = os.path.abspath(self.owner.source.path)
        if target == Builtin("process.env"):
            return self.owner.environ(node.token).get(key, UNDEFINED)
        if target == Builtin("import.meta"):
            if key == "dirname":
                return os.path.dirname(path)
            if key == "filename":
                return path
            if key == "url":
                return "file://" + path
        if isinstance(target, Builtin) and (target.name, key) in _MEMBERS:
            return Builtin(_MEMBERS[(target.name, key)])
        if isinstance(target, ObjValue):
            found = self.owner.entry(target, key, self.what, self.instead)
            return UNDEFINED if found is None else self.run(found)
        raise self.cannot(node)

    def call(self, node: Call) -> object:
        callee = self.run(node.callee)
        if not isinstance(callee, Builtin):
            raise self.cannot(node)
        name = callee.name
        if name == "defineConfig" and len(node.args) == 1:
            return self.run(node.args[0])
        args = [self.run(a) for a in node.args]
        if name == "env" and len(args) == 1 and isinstance(args[0], str):
            value = self.owner.environ(node.token).get(args[0], "")
            if not value:
                raise self.owner.fail(
                    node.token,
                    f"Cannot resolve environment variable: {args[0]}. (Prisma's env() "
                    f"requires it to be set; it gives {self.what}.)",
                    f"Set {args[0]}, or pass {self.instead}.",
                )
            return value
        if name == "process.cwd" and not args:
            return self.owner.cwd
        if name == "fileURLToPath" and args and str(args[0]).startswith("file://"):
            return str(args[0])[len("file://") :]
        if name.startswith("path.") and all(isinstance(a, str) for a in args):
            return self.path_call(node, name, [str(a) for a in args])
        raise self.cannot(node)

    def path_call(self, node: Call, name: str, args: list[str]) -> str:
        if name == "path.join":
            joined = "/".join(a for a in args if a)
            return os.path.normpath(joined) if joined else "."
        if name == "path.resolve":
            return os.path.normpath(os.path.join(self.owner.cwd, *args))
        if name == "path.dirname" and len(args) == 1:
            return os.path.dirname(args[0].rstrip("/")) or "."
        raise self.cannot(node)

    def binary(self, node: Binary) -> object:
        left = self.run(node.left)
        if node.op == "??":
            return self.run(node.right) if left is None or left is UNDEFINED else left
        if node.op == "||":
            return left if truthy(left) else self.run(node.right)
        if node.op == "&&":
            return self.run(node.right) if truthy(left) else left
        right = self.run(node.right)
        if isinstance(left, str) or isinstance(right, str):
            return to_string(left) + to_string(right)
        if isinstance(left, float) and isinstance(right, float):
            return left + right
        raise self.cannot(node)


def truthy(value: object) -> bool:
    if value is None or value is UNDEFINED or value is False or value == "":
        return False
    return not (isinstance(value, float) and (value == 0 or math.isnan(value)))


def to_string(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return "undefined" if value is UNDEFINED else str(value)
