-- Every index of those tables except primary keys and exclusion constraints: its keys
-- (a column number, or 0 and the expression: only expressions are deparsed, which is slow,
-- and only indexes that have one look),
-- DESC and NULLS FIRST, opclasses and collations (by oid, named from opclasses.sql), the
-- access method, INCLUDE columns, the partial index predicate, whether it is valid (a failed
-- CREATE INDEX CONCURRENTLY leaves an INVALID index behind) and whether its NULLs are not
-- distinct (PostgreSQL 15; false before, see catalog_queries.py).
SELECT
    i.indrelid,
    ic.relname,
    i.indisunique,
    i.indnkeyatts,
    i.indnatts,
    am.amname,
    pg_get_expr(i.indpred, i.indrelid),
    con.contype,
    CASE WHEN i.indexprs IS NOT NULL THEN ARRAY(
        SELECT CASE WHEN i.indkey[k - 1] = 0 THEN pg_get_indexdef(i.indexrelid, k, true) END
        FROM generate_series(1, i.indnatts) AS k
        ORDER BY k
    ) END,
    i.indkey::int2[],
    i.indoption::int2[],
    i.indclass::oid[],
    i.indcollation::oid[],
    i.indisvalid,
    i.indnullsnotdistinct
FROM pg_index AS i
JOIN pg_class AS ic ON ic.oid = i.indexrelid
JOIN pg_class AS c ON c.oid = i.indrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_am AS am ON am.oid = ic.relam
LEFT JOIN pg_constraint AS con
    ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
WHERE n.nspname = ANY(%(schemas)s)
    AND c.relkind IN ('r', 'p')
    AND NOT c.relispartition
    AND (con.contype IS NULL OR con.contype = 'u')
ORDER BY i.indrelid, ic.relname
