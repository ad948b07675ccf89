-- The managed schemas that exist.
SELECT n.nspname
FROM pg_namespace AS n
WHERE n.nspname = ANY(%(schemas)s)
ORDER BY n.nspname
