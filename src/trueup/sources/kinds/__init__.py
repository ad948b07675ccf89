"""The kinds of declared schema, one module each (see :mod:`trueup.sources.registry`).
These modules import only the standard library: every push asks them whose a path is."""
