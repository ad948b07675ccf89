-- Enum types of the managed schemas with their values in order (extension types left out).
SELECT n.nspname, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type AS t
JOIN pg_namespace AS n ON n.oid = t.typnamespace
JOIN pg_enum AS e ON e.enumtypid = t.oid
WHERE n.nspname = ANY(%(schemas)s)
    AND NOT EXISTS (
        SELECT 1 FROM pg_depend AS x
        WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e'
    )
GROUP BY n.nspname, t.typname
ORDER BY n.nspname, t.typname
