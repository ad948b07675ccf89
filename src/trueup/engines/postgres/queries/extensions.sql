-- The extensions of the database, wherever they are, with their schema and version
-- (PL/pgSQL left out: every database has it).
SELECT e.extname, n.nspname, e.extversion
FROM pg_extension AS e
JOIN pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY e.extname
