"""Declared schemas: read a schema file into the model."""

from trueup.sources.declared import Declared, load_schema

__all__ = ["Declared", "load_schema"]
