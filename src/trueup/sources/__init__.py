"""Declared schemas: read a schema file into the model."""

from trueup.sources.declared import Declared, SchemaWarning, load_schema

__all__ = ["Declared", "SchemaWarning", "load_schema"]
