-- Primary keys, unique constraints, CHECKs and foreign keys of those tables, with their
-- columns by number, the referenced table, actions and deferral. The referenced columns
-- come by number too (named from columns.sql's rows, which is cheaper than a lookup per
-- key), and by name as well when columns.sql does not read that table (one in no managed
-- schema, or a partition).
SELECT
    con.conrelid,
    con.conname,
    con.contype,
    con.conkey,
    fn.nspname,
    fc.relname,
    CASE WHEN con.contype = 'f' AND NOT (
        fn.nspname = ANY(%(schemas)s) AND fc.relkind IN ('r', 'p') AND NOT fc.relispartition
    ) THEN ARRAY(
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
    con.conindid,
    con.confrelid,
    con.confkey
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
