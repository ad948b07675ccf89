"""What the generator knows while it builds a schema: each model's fields with their types,
its keys, the constraint names taken; the datasource's options."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.prisma.fuzz.ast import Block
from tests.prisma.fuzz.choose import Chooser
from tests.prisma.fuzz.values import POSTGRESQL, Native


@dataclass
class FieldInfo:
    scalar: str  # a scalar type, or the enum's name for an enum field
    native: Native | None = None
    modifier: str = ""
    enum: bool = False
    unsupported: bool = False
    ignored: bool = False
    has_default: bool = False
    relation: bool = False  # a relation field (``scalar`` is the other model)

    @property
    def indexable(self) -> bool:
        """Can be in a plain (B-tree) index or a unique constraint."""
        if self.relation or self.unsupported or self.modifier == "[]" or self.scalar == "Json":
            return False
        return self.native is None or self.native.name not in ("Xml",)


@dataclass
class ModelInfo:
    block: Block
    id_fields: list[str] = field(default_factory=list)
    #: Field sets that are unique (the id not among them), for 1-1 relations to reference.
    unique_sets: list[tuple[str, ...]] = field(default_factory=list)
    #: (kind, fields) of the indexes and constraints made so far: a second one on the same
    #: fields would take the same default name.
    keyed: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    schema: str | None = None
    ignored: bool = False

    @property
    def name(self) -> str:
        return self.block.name


@dataclass
class Plan:
    c: Chooser
    provider: str
    major: int  # the Prisma major the schema is for: 6 or 7
    datasource: str = "db"  # its name, the prefix of native types
    relation_mode_prisma: bool = False
    schemas: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)
    preview: list[str] = field(default_factory=list)
    enums: dict[str, list[str]] = field(default_factory=dict)
    enum_schemas: dict[str, str] = field(default_factory=dict)
    models: list[ModelInfo] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)  # names given with map:, and @@map names
    counter: int = 0

    @property
    def postgres(self) -> bool:
        return self.provider == POSTGRESQL

    @property
    def foreign_keys(self) -> bool:
        return not self.relation_mode_prisma

    def fresh(self, stem: str) -> str:
        """A name no other constraint or table has: ``stem`` and a number."""
        self.counter += 1
        name = f"{stem}{self.counter}"
        self.taken.add(name)
        return name

    def model(self, name: str) -> ModelInfo:
        return next(m for m in self.models if m.name == name)

    def unused_field_name(self, model: ModelInfo, stem: str) -> str:
        name, n = stem, 1
        while name in model.fields or name == model.name:
            n += 1
            name = f"{stem}{n}"
        return name
