-- Primary keys, unique constraints, CHECKs and foreign keys of those tables, with their
-- columns by number (the referenced ones by name: that table may be in no managed
-- schema), the referenced table, actions and deferral.
SELECT
    con.conrelid,
    con.conname,
    con.contype,
    con.conkey,
    fn.nspname,
    fc.relname,
    CASE WHEN con.contype = 'f' THEN ARRAY(
        SELECT a.attname
        FROM unnest(con.confkey) WITH ORDINALITY AS k(num, pos)
        JOIN pg_attribute AS a ON a.attrelid = con.confrelid AND a.attnum = k.num
        ORDER BY k.pos
    ) END,
    con.confdeltype,
    con.confupdtype,
    con.condeferrable,
    con.condeferred,
    CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END,
    con.conindid
FROM pg_constraint AS con
JOIN pg_class AS c ON c.oid = con.conrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_class AS fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace AS fn ON fn.oid = fc.relnamespace
WHERE n.nspname = ANY(%(schemas)s)
    AND c.relkind IN ('r', 'p')
    AND con.contype IN ('p', 'u', 'c', 'f')
    AND con.conparentid = 0
ORDER BY con.conrelid, con.conname
