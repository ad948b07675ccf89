"""A Prisma config file read at its top level without running it: its imports, its
top-level ``const`` names, its default export, and the places where it loads ``.env``
files (dotenv's ``import "dotenv/config"`` and ``config()``, Node's
``process.loadEnvFile()``)."""

from __future__ import annotations

from trueup.errors import SchemaError
from trueup.sources.prisma_project.tsparse import Node, closing, expression_end, parse, split
from trueup.sources.prisma_project.tstokens import ConfigSource, Token, tokenize


class EnvLoad:
    """A place where the config loads ``.env`` files into the environment: ``kind`` is
    "dotenv/config" (the side-effect import), "config" (a dotenv ``config()`` call, with
    its ``options`` node if given), "loadEnvFile" (Node's ``process.loadEnvFile``) or
    "unknown" (another package that loads environment files)."""

    __slots__ = ("kind", "options", "token")

    def __init__(self, kind: str, token: Token, options: Node | None = None) -> None:
        self.kind = kind
        self.token = token
        self.options = options


class ConfigFile:
    """A config file's tokens as read at its top level: what it imports (local name to
    module and exported name), its ``const`` names, what it exports by default, and where
    it loads ``.env`` files."""

    def __init__(self, source: ConfigSource, tokens: tuple[Token, ...]) -> None:
        self.source = source
        self.tokens = tokens
        self.imports: dict[str, tuple[str, str]] = {}
        self.bindings: dict[str, Node] = {}
        self.default: Node | None = None
        self.env_loads: list[EnvLoad] = []


def read_config(path: str) -> ConfigFile:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{path} is not UTF-8 text ({exc.reason}).") from None
    except OSError as exc:
        raise SchemaError(f"Cannot read {path}: {exc.strerror}.") from None
    source = ConfigSource(path, text)
    config = ConfigFile(source, tokenize(source))
    _Scanner(config).run()
    return config


class _Scanner:
    def __init__(self, config: ConfigFile) -> None:
        self.config = config
        self.tokens = config.tokens

    def tok(self, i: int) -> Token:
        return self.tokens[min(i, len(self.tokens) - 1)]

    def at(self, i: int, *texts: str) -> bool:
        return all(self.tok(i + n).is_(t) for n, t in enumerate(texts))

    def run(self) -> None:
        tokens, depth, i = self.tokens, 0, 0
        while i < len(tokens) - 1:
            token = tokens[i]
            if token.kind == "punct" and token.text in ("(", "[", "{"):
                depth += 1
            elif token.kind == "punct" and token.text in (")", "]", "}"):
                depth -= 1
            elif depth == 0 and token.kind == "name":
                i = self.statement(i)
                continue
            i += 1
        self.find_env_loads()
        self.config.env_loads.sort(key=lambda load: (load.token.line, load.token.column))

    def statement(self, i: int) -> int:
        """Read the top-level statement at ``i`` if it is one that matters; the index to go
        on from."""
        if self.at(i, "import") and not (self.at(i + 1, ".") or self.at(i + 1, "(")):
            return self.import_(i)
        for head in (("export", "default"), ("module", ".", "exports", "=")):
            if self.at(i, *head):
                start = i + len(head)
                end = expression_end(self.tokens, start)
                self.config.default = parse(self.tokens, start, end)
                return end
        if self.tok(i).text in ("const", "let", "var"):
            return self.declaration(i + 1)
        return i + 1

    def import_(self, i: int) -> int:
        j = i + 1
        if self.tok(j).kind == "str":  # import "dotenv/config"
            self.side_effect(self.tok(j).text, self.tok(i))
            return j + 1
        names: list[tuple[str, str]] = []
        while self.tok(j).kind != "eof" and not self.at(j, "from") and not self.at(j, "="):
            token = self.tok(j)
            if token.is_("{"):
                end = closing(self.tokens, j)
                names += self.specifiers(j + 1, end)
                j = end
            elif token.is_("*") and self.at(j + 1, "as"):
                names.append(("*", self.tok(j + 2).text))
                j += 2
            elif token.kind == "name" and not token.is_("type"):
                names.append(("default", token.text))
            j += 1
        if self.at(j, "from") and self.tok(j + 1).kind == "str":
            module = self.tok(j + 1).text
            for export, local in names:
                self.config.imports[local] = (module, export)
            if module != "dotenv" and _loads_env(module):
                self.config.env_loads.append(EnvLoad("unknown", self.tok(i)))
            return j + 2
        if self.at(j, "=", "require", "(") and self.tok(j + 3).kind == "str" and names:
            self.config.imports[names[0][1]] = (self.tok(j + 3).text, "*")
            return j + 4
        return j + 1

    def specifiers(self, start: int, stop: int) -> list[tuple[str, str]]:
        """``{ a, b as c, type T }`` as (exported, local) pairs."""
        out = []
        for a, b in split(self.tokens, start, stop):
            words = [t.text for t in self.tokens[a:b] if t.kind in ("name", "str")]
            if words and words[0] == "type" and len(words) in (2, 4):
                continue
            if len(words) == 3 and words[1] == "as":
                out.append((words[0], words[2]))
            elif len(words) == 1:
                out.append((words[0], words[0]))
        return out

    def declaration(self, i: int) -> int:
        """``const NAME = …`` (with a type annotation or not), or ``const { a, b: c } =
        require("m")``."""
        if self.at(i, "{"):
            end = closing(self.tokens, i)
            if self.at(end + 1, "=", "require", "(") and self.tok(end + 4).kind == "str":
                module = self.tok(end + 4).text
                for a, b in split(self.tokens, i + 1, end):
                    words = [t.text for t in self.tokens[a:b] if t.kind == "name"]
                    if words:
                        self.config.imports[words[-1]] = (module, words[0])
            return end + 1
        if self.tok(i).kind != "name":
            return i
        name, j = self.tok(i).text, i + 1
        if self.at(j, ":"):
            while self.tok(j).kind != "eof" and not self.at(j, "=") and not self.at(j, ";"):
                j += 1
        if not self.at(j, "="):
            return j
        start = j + 1
        end = expression_end(self.tokens, start)
        required = self.at(start, "require", "(") and self.tok(start + 2).kind == "str"
        if required and end == start + 4:  # const path = require("node:path")
            self.config.imports[name] = (self.tok(start + 2).text, "*")
        else:
            self.config.bindings[name] = parse(self.tokens, start, end)
        return end

    def side_effect(self, module: str, token: Token) -> None:
        if module in ("dotenv/config", "dotenv/config.js"):
            self.config.env_loads.append(EnvLoad("dotenv/config", token))
        elif _loads_env(module):
            self.config.env_loads.append(EnvLoad("unknown", token))

    def find_env_loads(self) -> None:
        """The calls that load ``.env`` files: ``require("dotenv/config")``, dotenv's
        ``config()`` however it was imported, and ``process.loadEnvFile()``."""
        imports = self.config.imports
        namespaces = {n for n, (m, e) in imports.items() if m == "dotenv" and e in ("*", "default")}
        functions = {
            n for n, (m, e) in imports.items() if m == "dotenv" and e in ("config", "configDotenv")
        }
        methods = ("config", "configDotenv")
        for i, token in enumerate(self.tokens):
            if self.at(i, "require", "(") and self.tok(i + 2).kind == "str":
                module = self.tok(i + 2).text
                method = self.at(i + 3, ")", ".") and self.tok(i + 5).text in methods
                if module == "dotenv" and method:
                    self.call("config", token, i + 6)
                elif module != "dotenv":
                    self.side_effect(module, token)
            elif token.kind == "name" and token.text in functions and self.at(i + 1, "("):
                self.call("config", token, i + 1)
            elif token.kind == "name" and token.text in namespaces and self.at(i + 1, "."):
                if self.tok(i + 2).text in methods and self.at(i + 3, "("):
                    self.call("config", token, i + 3)
            elif self.at(i, "process", ".", "loadEnvFile", "("):
                self.call("loadEnvFile", token, i + 3)

    def call(self, kind: str, token: Token, paren: int) -> None:
        if not self.at(paren, "("):
            return
        end = closing(self.tokens, paren)
        options = parse(self.tokens, paren + 1, end) if end > paren + 1 else None
        self.config.env_loads.append(EnvLoad(kind, token, options))


def _loads_env(module: str) -> bool:
    """A package that loads environment files other than ``dotenv`` itself, as far as a
    name tells (dotenv-flow, dotenv-expand, @dotenvx/dotenvx, @next/env, …)."""
    return "dotenv" in module or module in ("@next/env", "env-cmd")
