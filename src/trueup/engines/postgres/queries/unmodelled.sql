-- What the tables of the managed schemas (and their indexes and constraints, and the
-- materialized views) hold that the model has no place for yet: a schema file that declares
-- one is refused, and a database that has one is told about and left as it is. One row each:
-- the schema and table, the kind of object and its name, what it is (a stable word the
-- messages are chosen by) and how PostgreSQL would write it. Partitions are their parent's
-- (which is reported as partitioned); extension objects are left out.
WITH rel AS (
    SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, c.reloptions
    FROM pg_class AS c
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s)
        AND c.relkind IN ('r', 'p', 'm')
        AND NOT c.relispartition
        AND NOT EXISTS (
            SELECT 1 FROM pg_depend AS e
            WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'
        )
)
SELECT nspname, relname, 'table', relname, 'partitioned',
    'PARTITION BY ' || pg_get_partkeydef(oid) || (
        SELECT ', with ' || count(*)
            || CASE WHEN count(*) = 1 THEN ' partition' ELSE ' partitions' END
        FROM pg_inherits WHERE inhparent = rel.oid
    )
FROM rel
WHERE relkind = 'p'
UNION ALL
SELECT nspname, relname, 'table', relname, 'unlogged', 'UNLOGGED'
FROM rel
WHERE relpersistence = 'u'
UNION ALL
SELECT nspname, relname, CASE WHEN relkind = 'm' THEN 'materialized view' ELSE 'table' END,
    relname, 'storage', 'WITH (' || array_to_string(reloptions, ', ') || ')'
FROM rel
WHERE reloptions IS NOT NULL
UNION ALL
SELECT rel.nspname, rel.relname, 'table', rel.relname, 'inherits',
    'INHERITS (' || string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno) || ')'
FROM rel
JOIN pg_inherits AS i ON i.inhrelid = rel.oid
GROUP BY rel.nspname, rel.relname
UNION ALL
SELECT rel.nspname, rel.relname, 'index', ic.relname, 'storage',
    'WITH (' || array_to_string(ic.reloptions, ', ') || ')'
FROM rel
JOIN pg_index AS i ON i.indrelid = rel.oid
JOIN pg_class AS ic ON ic.oid = i.indexrelid
WHERE rel.relkind <> 'm' AND ic.reloptions IS NOT NULL
UNION ALL
SELECT rel.nspname, rel.relname, 'constraint', con.conname, f.what, f.written
FROM rel
JOIN pg_constraint AS con ON con.conrelid = rel.oid
CROSS JOIN LATERAL (VALUES
    (con.contype = 'c' AND con.connoinherit, 'no inherit', 'NO INHERIT'),
    (
        con.contype IN ('p', 'u') AND con.condeferrable,
        'deferrable',
        CASE WHEN con.condeferred THEN 'DEFERRABLE INITIALLY DEFERRED' ELSE 'DEFERRABLE' END
    ),
    (con.contype = 'f' AND con.confmatchtype = 'f', 'match full', 'MATCH FULL'),
    (con.contype = 'x', 'exclusion', pg_get_constraintdef(con.oid))
) AS f(found, what, written)
WHERE f.found AND con.conparentid = 0
ORDER BY 1, 2, 3, 4, 5
