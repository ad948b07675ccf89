"""What a Prisma schema makes of a PostgreSQL database beyond its tables, as ``prisma db
push`` does (checked with the Prisma CLI, 6.19.3 and 7.10.1): the extensions of the
datasource, the schemas of its ``schemas`` list, and defaults whose SQL names the
database's own functions, sequences and types."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from tests.postgres.support import Server, open_session
from trueup.cli import cli

GENERATOR = """
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["postgresqlExtensions"]
}
"""


def run(tmp_path: Path, schema: str, *args: str, pg: Server) -> Result:
    (tmp_path / "schema.prisma").write_text(schema)
    path = str(tmp_path / "schema.prisma")
    return CliRunner().invoke(cli, [args[0], "--schema", path, "--url", pg.url, *args[1:]])


def push(tmp_path: Path, schema: str, pg: Server, *flags: str) -> Result:
    return run(tmp_path, schema, "push", "--no-backup", *flags, pg=pg)


def diff(tmp_path: Path, schema: str, pg: Server) -> Result:
    return run(tmp_path, schema, "diff", pg=pg)


def extensions(pg: Server) -> dict[str, tuple[str, str]]:
    rows = pg.query(
        "SELECT e.extname, n.nspname, e.extversion FROM pg_extension AS e "
        "JOIN pg_namespace AS n ON n.oid = e.extnamespace"
    )
    return {name: (schema, version) for name, schema, version in rows}


def datasource(extensions: str = "", schemas: str = "") -> str:
    lines = ['  provider = "postgresql"', '  url      = env("DATABASE_URL")']
    if extensions:
        lines.append(f"  extensions = {extensions}")
    if schemas:
        lines.append(f"  schemas = {schemas}")
    return GENERATOR + "datasource db {\n" + "\n".join(lines) + "\n}\n"


LOGIN = """
model Login {
  id    String @id @default(dbgenerated("uuid_generate_v4()")) @db.Uuid
  email String @unique @db.Citext
  name  String

  @@index([name(ops: raw("gin_trgm_ops"))], type: Gin)
}
"""


def test_extensions_are_made_before_the_tables_and_then_in_sync(tmp_path: Path, pg: Server) -> None:
    schema = datasource('[citext, pg_trgm(version: "1.5"), uuid_ossp(map: "uuid-ossp")]') + LOGIN
    first = push(tmp_path, schema, pg)
    assert first.exit_code == 0, first.output
    assert first.output.index('CREATE EXTENSION IF NOT EXISTS "citext"') < first.output.index(
        'CREATE TABLE "Login"'
    )
    assert 'CREATE EXTENSION IF NOT EXISTS "pg_trgm" WITH VERSION "1.5"' in first.output
    found = extensions(pg)
    assert found["citext"][0] == "public" and found["pg_trgm"][1] == "1.5"
    assert "uuid-ossp" in found
    # Found in sync from then on (Prisma itself runs CREATE EXTENSION on every push).
    again = push(tmp_path, schema, pg)
    assert again.exit_code == 0 and "already in sync" in again.output, again.output
    assert diff(tmp_path, schema, pg).exit_code == 0


def test_an_extension_the_database_has_is_left_as_it_is(tmp_path: Path, pg: Server) -> None:
    # Prisma never moves, updates or drops an extension: declared elsewhere or in another
    # version, or no longer declared, the database's own stays and is in sync.
    pg.execute("CREATE SCHEMA other; CREATE EXTENSION pg_trgm WITH SCHEMA other VERSION '1.5'")
    model = "model A {\n  id Int @id\n}\n"
    declared = datasource('[pg_trgm(schema: "public", version: "1.6")]') + model
    pushed = push(tmp_path, declared, pg)
    assert pushed.exit_code == 0, pushed.output
    assert "EXTENSION" not in pushed.output
    assert extensions(pg)["pg_trgm"] == ("other", "1.5")
    assert diff(tmp_path, declared, pg).exit_code == 0
    for listed in ("[]", ""):
        gone = push(tmp_path, datasource(listed) + model, pg)
        assert gone.exit_code == 0 and "already in sync" in gone.output, gone.output
        assert extensions(pg)["pg_trgm"] == ("other", "1.5")


def test_an_extension_the_server_does_not_have_is_a_clear_error(tmp_path: Path, pg: Server) -> None:
    schema = datasource('[vector(schema: "public")]') + LOGIN.replace("@db.Citext", "")
    result = push(tmp_path, schema, pg)
    assert result.exit_code == 1, result.output
    assert "cannot make the extension `vector`" in result.output, result.output
    assert 'extension "vector" is not available' in result.output
    assert "Install the extension on the database server" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert set(extensions(pg)) == {"plpgsql"}  # every database has it
    assert pg.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    assert _scratch_leftovers(pg) == []


def test_listed_schemas_no_model_uses_are_read_but_not_made(tmp_path: Path, pg: Server) -> None:
    # Prisma makes a schema of the list only when a model or enum is in it; it reads all
    # of them, and drops what no model declares in one that exists.
    pg.execute("CREATE SCHEMA billing; CREATE TABLE billing.stray (id int)")
    schema = datasource(schemas='["extensions", "public", "billing"]') + (
        'model Note {\n  id Int @id\n\n  @@schema("public")\n}\n'
    )
    result = push(tmp_path, schema, pg)
    assert result.exit_code == 0, result.output
    assert 'DROP TABLE "billing"."stray"' in result.output
    schemas = {r[0] for r in pg.query("SELECT nspname FROM pg_namespace")}
    assert "billing" in schemas and "extensions" not in schemas
    assert diff(tmp_path, schema, pg).exit_code == 0


DATABASE_OWN = """
model Ticket {
  id      Int    @id @default(dbgenerated("nextval('ticket_numbers')"))
  code    String @default(dbgenerated("app_code()"))
  label   String @default(dbgenerated("'x'::short_text"))
  owner   String @default(dbgenerated("auth.uid()")) @db.Uuid

  @@schema("public")
}

model Profile {
  id   String @id @default(dbgenerated("auth.uid()")) @db.Uuid
  code String @default(dbgenerated("app_code()"))

  @@schema("auth")
}
"""

APP_OBJECTS = (
    "CREATE FUNCTION app_code() RETURNS text LANGUAGE sql AS $$ SELECT 'c' $$;"
    "CREATE SEQUENCE ticket_numbers;"
    "CREATE DOMAIN short_text AS text CHECK (length(VALUE) < 10);"
    "CREATE SCHEMA auth;"
    "CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql AS $$ SELECT gen_random_uuid() $$;"
)


def test_default_sql_may_name_what_the_database_has(tmp_path: Path, pg: Server) -> None:
    # The declared schema is read in the database itself, in a transaction that is rolled
    # back, so the functions, sequences and types the app made are there, in the default
    # schema and in another schema of the datasource.
    pg.execute(APP_OBJECTS)
    schema = datasource(schemas='["public", "auth"]') + DATABASE_OWN
    before = _catalog(pg)
    pending = diff(tmp_path, schema, pg)
    assert pending.exit_code == 2, pending.output
    assert _catalog(pg) == before  # reading the schema changed nothing
    pushed = push(tmp_path, schema, pg)
    assert pushed.exit_code == 0, pushed.output
    assert diff(tmp_path, schema, pg).exit_code == 0
    assert push(tmp_path, schema, pg).output.count("already in sync") == 1
    assert pg.query('SELECT count(*) FROM auth."Profile"') == [(0,)]
    assert _scratch_leftovers(pg) == []


def test_a_default_naming_what_the_database_lacks_leaves_it_unchanged(
    tmp_path: Path, pg: Server
) -> None:
    pg.execute(APP_OBJECTS)
    schema = datasource() + 'model A {\n  id Int @id @default(dbgenerated("no_such()"))\n}\n'
    before = _catalog(pg)
    result = push(tmp_path, schema, pg)
    assert result.exit_code == 1, result.output
    assert "function no_such() does not exist" in result.output
    assert _catalog(pg) == before
    assert _scratch_leftovers(pg) == []


def _catalog(pg: Server) -> tuple[str | None, list[tuple[object, ...]]]:
    """The database's schema digest (every catalog row trueup could see) and its schemas."""
    with open_session(pg) as session:
        digest = session.schema_digest()
    return digest, pg.query("SELECT nspname FROM pg_namespace ORDER BY 1")


def _scratch_leftovers(pg: Server) -> list[tuple[object, ...]]:
    return pg.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'trueup_scratch%'")


def test_a_model_postgresql_rejects_is_an_error_at_the_model(tmp_path: Path, pg: Server) -> None:
    """The engine's refusal of a model's DDL points at the model it was made from."""
    schema = (
        'datasource db {\n  provider = "postgresql"\n}\n\nmodel Ok {\n  id Int @id\n}\n\n'
        'model Bad {\n  id Int @id\n  x  Unsupported("no_such_type")\n}\n'
    )
    result = push(tmp_path, schema, pg)
    assert result.exit_code == 1, result.output
    assert "schema.prisma:9:1" in result.output, result.output
    assert "PostgreSQL rejected the table `Bad` made from this model" in result.output
    assert 'type "no_such_type" does not exist' in result.output
    assert pg.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
