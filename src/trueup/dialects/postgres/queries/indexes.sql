-- Every index of those tables except primary keys and exclusion constraints: its keys
-- (a column number, or 0 and the expression), DESC, opclasses that are not the default,
-- collations, the access method, INCLUDE columns and the partial index predicate.
SELECT
    i.indrelid,
    ic.relname,
    i.indisunique,
    i.indnkeyatts,
    i.indnatts,
    am.amname,
    pg_get_expr(i.indpred, i.indrelid),
    con.contype,
    ARRAY(
        SELECT pg_get_indexdef(i.indexrelid, k, true)
        FROM generate_series(1, i.indnatts) AS k
        ORDER BY k
    ),
    i.indkey::int2[],
    i.indoption::int2[],
    ARRAY(
        SELECT CASE WHEN opc.opcdefault THEN NULL ELSE opc.opcname END
        FROM unnest(i.indclass) WITH ORDINALITY AS k(opc_oid, pos)
        JOIN pg_opclass AS opc ON opc.oid = k.opc_oid
        ORDER BY k.pos
    ),
    ARRAY(
        SELECT co.collname
        FROM unnest(i.indcollation) WITH ORDINALITY AS k(coll, pos)
        LEFT JOIN pg_collation AS co ON co.oid = k.coll
        ORDER BY k.pos
    )
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
