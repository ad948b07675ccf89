-- Every column of those tables: its type as format_type spells it, NOT NULL, the default
-- as PostgreSQL deparses it, identity and generation, a collation that is not the type's
-- own, the comment, whether the default is a serial (nextval of a sequence the column
-- owns), and an identity column's sequence parameters.
SELECT
    a.attrelid,
    a.attnum,
    a.attname,
    format_type(a.atttypid, a.atttypmod),
    a.attnotnull,
    -- A default names no column, so it is deparsed without its table (which would be opened
    -- and its columns listed for every default); a generated column's expression needs it.
    pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE ad.adrelid END),
    a.attidentity,
    a.attgenerated,
    CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
    d.description,
    serial.objid IS NOT NULL,
    -- Looked up only for an identity column (few are), as one text the model can hash.
    CASE WHEN a.attidentity <> '' THEN (
        SELECT concat_ws(',', format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
            s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
        FROM pg_sequence AS s
        JOIN pg_depend AS owner
            ON owner.objid = s.seqrelid AND owner.classid = 'pg_class'::regclass
        WHERE owner.refobjid = a.attrelid AND owner.refobjsubid = a.attnum
            AND owner.deptype = 'i'
    ) END
FROM pg_attribute AS a
JOIN pg_class AS c ON c.oid = a.attrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_type AS t ON t.oid = a.atttypid
-- Only columns that have a default look (most have none): the planner then reads pg_attrdef
-- once into a hash rather than probing its index for every column.
LEFT JOIN pg_attrdef AS ad ON a.atthasdef AND ad.adrelid = a.attrelid AND ad.adnum = a.attnum
-- Defaults that use a sequence the column owns: one pass over pg_depend, joined, rather than
-- a lookup per column.
LEFT JOIN (
    SELECT DISTINCT uses.objid, owns.refobjid, owns.refobjsubid
    FROM pg_depend AS uses
    JOIN pg_depend AS owns
        ON owns.classid = 'pg_class'::regclass
        AND owns.objid = uses.refobjid
        AND owns.deptype = 'a'
    WHERE uses.classid = 'pg_attrdef'::regclass
        AND uses.refclassid = 'pg_class'::regclass
) AS serial
    ON serial.objid = ad.oid AND serial.refobjid = a.attrelid AND serial.refobjsubid = a.attnum
LEFT JOIN pg_collation AS co ON co.oid = a.attcollation
LEFT JOIN pg_description AS d
    ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
WHERE n.nspname = ANY(%(schemas)s)
    AND c.relkind IN ('r', 'p')
    AND NOT c.relispartition
    AND a.attnum > 0
    AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
