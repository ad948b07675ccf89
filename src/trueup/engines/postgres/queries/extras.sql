-- What the views, materialized views and enum types of the managed schemas (trueup's own
-- views left out) have besides what the model holds, which a push that drops and makes one
-- of them again gives back: its owner (and whether that is the current role), its comment,
-- its options, its privileges, the privileges it would have if the current role made it now
-- (its default privileges) and then gave it back to its owner, and its columns' privileges
-- and comments, and a materialized view's indexes: [name, definition, comment, the names of
-- the view's columns it reads]. A privilege is [grantee, privilege, grantable]; the grantee
-- NULL is PUBLIC.
-- Extension objects are never dropped by a push, and are left out too.
WITH me AS (
    SELECT oid FROM pg_roles WHERE rolname = current_user
),
obj AS (
    SELECT 'r'::"char" AS kind, c.oid, c.relnamespace AS nsp, n.nspname, c.relname AS name,
        c.relowner AS owner, c.relacl AS acl, c.reloptions AS options,
        'pg_class'::regclass AS classoid
    FROM pg_class AS c
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('v', 'm')
        AND c.relname NOT LIKE '\_trueup\_%%'
        AND NOT EXISTS (
            SELECT 1 FROM pg_depend AS e
            WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'
        )
    UNION ALL
    SELECT 'T'::"char", t.oid, t.typnamespace, n.nspname, t.typname, t.typowner, t.typacl, NULL,
        'pg_type'::regclass
    FROM pg_type AS t
    JOIN pg_namespace AS n ON n.oid = t.typnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND t.typtype = 'e'
        AND NOT EXISTS (
            SELECT 1 FROM pg_depend AS e
            WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e'
        )
)
SELECT
    obj.kind,
    obj.nspname,
    obj.name,
    pg_get_userbyid(obj.owner),
    obj.owner = me.oid,
    d.description,
    obj.options,
    (
        SELECT json_agg(json_build_array(
            CASE WHEN a.grantee <> 0 THEN pg_get_userbyid(a.grantee) END,
            a.privilege_type, a.is_grantable
        ))
        FROM aclexplode(coalesce(obj.acl, acldefault(obj.kind, obj.owner))) AS a
    ),
    (
        SELECT json_agg(json_build_array(
            CASE WHEN f.grantee <> 0 THEN pg_get_userbyid(f.grantee) END,
            f.privilege_type, f.is_grantable
        ))
        FROM (
            SELECT CASE WHEN a.grantee = me.oid THEN obj.owner ELSE a.grantee END AS grantee,
                a.privilege_type, a.is_grantable
            FROM aclexplode(coalesce(
                (
                    SELECT g.defaclacl FROM pg_default_acl AS g
                    WHERE g.defaclrole = me.oid AND g.defaclnamespace = 0
                        AND g.defaclobjtype = obj.kind
                ),
                acldefault(obj.kind, me.oid)
            )) AS a
            UNION ALL
            SELECT CASE WHEN a.grantee = me.oid THEN obj.owner ELSE a.grantee END,
                a.privilege_type, a.is_grantable
            FROM pg_default_acl AS s, aclexplode(s.defaclacl) AS a
            WHERE s.defaclrole = me.oid AND s.defaclnamespace = obj.nsp
                AND s.defaclobjtype = obj.kind
        ) AS f
    ),
    (
        SELECT json_agg(json_build_array(at.attname, cd.description, (
            SELECT json_agg(json_build_array(
                CASE WHEN a.grantee <> 0 THEN pg_get_userbyid(a.grantee) END,
                a.privilege_type, a.is_grantable
            ))
            FROM aclexplode(at.attacl) AS a
        )) ORDER BY at.attnum)
        FROM pg_attribute AS at
        LEFT JOIN pg_description AS cd
            ON cd.objoid = at.attrelid AND cd.classoid = 'pg_class'::regclass
            AND cd.objsubid = at.attnum
        WHERE obj.kind = 'r' AND at.attrelid = obj.oid AND at.attnum > 0
            AND NOT at.attisdropped AND (at.attacl IS NOT NULL OR cd.description IS NOT NULL)
    ),
    (
        SELECT json_agg(json_build_array(ic.relname, pg_get_indexdef(ic.oid), id.description, (
            -- An index depends on each column it reads, in its keys, expressions or WHERE.
            SELECT json_agg(DISTINCT at.attname)
            FROM pg_depend AS dp
            JOIN pg_attribute AS at ON at.attrelid = dp.refobjid AND at.attnum = dp.refobjsubid
            WHERE dp.classid = 'pg_class'::regclass AND dp.objid = ic.oid
                AND dp.refclassid = 'pg_class'::regclass AND dp.refobjid = obj.oid
                AND dp.refobjsubid > 0
        )) ORDER BY ic.relname)
        FROM pg_index AS i
        JOIN pg_class AS ic ON ic.oid = i.indexrelid
        LEFT JOIN pg_description AS id
            ON id.objoid = ic.oid AND id.classoid = 'pg_class'::regclass AND id.objsubid = 0
        WHERE obj.kind = 'r' AND i.indrelid = obj.oid
    )
FROM obj
CROSS JOIN me
LEFT JOIN pg_description AS d
    ON d.objoid = obj.oid AND d.classoid = obj.classoid AND d.objsubid = 0
ORDER BY obj.kind, obj.nspname, obj.name
