"""Differential testing against the real Prisma CLI: hypothesis draws Prisma schemas over
the whole grammar (cases, document, models, relations, indexes, values; spelling and
render for the ways to write them; mutants for broken ones), Prisma's verdict is the
oracle (oracle, node/oracle.mjs), and harness compares trueup's with it, down to the
databases both build. run drives many cases (scripts/fuzz-prisma) and minimise makes
each difference small; tests/prisma/test_differential.py runs a few in CI."""
