-- Every ordinary and partitioned table of the managed schemas (partitions and tables that
-- belong to an extension left out), with its comment.
SELECT c.oid, n.nspname, c.relname, d.description
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_description AS d
    ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE n.nspname = ANY(%(schemas)s)
    AND c.relkind IN ('r', 'p')
    AND NOT c.relispartition
    AND NOT EXISTS (
        SELECT 1 FROM pg_depend AS e
        WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'
    )
ORDER BY n.nspname, c.relname
