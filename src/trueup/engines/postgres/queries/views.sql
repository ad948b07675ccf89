-- Views and materialized views of the managed schemas, with their queries as PostgreSQL
-- deparses them, and whether they hold their rows (a materialized view made WITH NO DATA
-- does not).
SELECT n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid, true), c.relispopulated
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s)
    AND c.relkind IN ('v', 'm')
    AND NOT EXISTS (
        SELECT 1 FROM pg_depend AS e
        WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'
    )
ORDER BY n.nspname, c.relname
