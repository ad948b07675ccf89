-- One hash of the catalog rows that make up the schemas of this database: every schema but
-- PostgreSQL's own, and in them the relations (trueup's own views left out), their columns
-- and defaults, constraints, indexes, types and enum values, view queries, comments,
-- sequence ownership and parameters, triggers and functions; and the extensions. It covers more than the
-- inspector reads, so that any change the inspector could see changes it. Expressions are
-- read as stored node trees (no deparsing), which keeps this to a few milliseconds; object
-- ids are part of it, so an object dropped and made again counts as a change.
WITH ns AS (
    SELECT oid, nspname
    FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
        AND nspname NOT LIKE 'pg\_toast%'
        AND nspname NOT LIKE 'pg\_temp\_%'
),
rel AS (
    SELECT c.oid, ns.nspname, c.relname, c.relkind, c.relam, c.relispartition, c.reloptions
    FROM pg_class AS c
    JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relname NOT LIKE '\_trueup\_%'
)
SELECT md5(concat_ws(
    E'\n--\n',
    (SELECT string_agg(nspname, ',' ORDER BY nspname) FROM ns),
    (
        SELECT string_agg(
            concat_ws('|', oid, nspname, relname, relkind, relam, relispartition, reloptions),
            E'\n' ORDER BY oid
        )
        FROM rel
    ),
    (
        SELECT string_agg(
            concat_ws(
                '|', a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull,
                a.attidentity, a.attgenerated, a.attcollation, ad.adbin::text
            ),
            E'\n' ORDER BY a.attrelid, a.attnum
        )
        FROM pg_attribute AS a
        JOIN rel ON rel.oid = a.attrelid
        LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped
    ),
    (
        SELECT string_agg(
            concat_ws(
                '|', con.oid, con.conname, con.contype, con.conrelid, con.contypid,
                con.conkey, con.confrelid, con.confkey, con.confdeltype, con.confupdtype,
                con.condeferrable, con.condeferred, con.convalidated, con.conindid,
                con.conparentid, con.conbin::text
            ),
            E'\n' ORDER BY con.oid
        )
        FROM pg_constraint AS con
        JOIN ns ON ns.oid = con.connamespace
    ),
    (
        SELECT string_agg(
            concat_ws(
                '|', i.indexrelid, i.indrelid, i.indisunique, i.indisprimary, i.indisvalid,
                i.indnkeyatts, i.indkey, i.indoption, i.indclass, i.indcollation,
                i.indexprs::text, i.indpred::text
            ),
            E'\n' ORDER BY i.indexrelid
        )
        FROM pg_index AS i
        JOIN rel ON rel.oid = i.indrelid
    ),
    (
        SELECT string_agg(
            concat_ws('|', t.oid, t.typname, t.typtype, t.typbasetype, t.typnotnull,
                t.typdefaultbin::text, e.enumsortorder, e.enumlabel),
            E'\n' ORDER BY t.oid, e.enumsortorder
        )
        FROM pg_type AS t
        JOIN ns ON ns.oid = t.typnamespace
        LEFT JOIN pg_enum AS e ON e.enumtypid = t.oid
        WHERE t.typname NOT LIKE '%\_trueup\_%'
    ),
    (
        SELECT string_agg(
            concat_ws('|', r.ev_class, r.rulename, r.ev_type, r.ev_enabled, r.ev_action::text),
            E'\n' ORDER BY r.ev_class, r.rulename
        )
        FROM pg_rewrite AS r
        JOIN rel ON rel.oid = r.ev_class
    ),
    (
        SELECT string_agg(
            concat_ws('|', d.objoid, d.objsubid, d.description),
            E'\n' ORDER BY d.objoid, d.objsubid
        )
        FROM pg_description AS d
        JOIN rel ON rel.oid = d.objoid
        WHERE d.classoid = 'pg_class'::regclass
    ),
    (
        SELECT string_agg(
            concat_ws('|', dep.objid, dep.refobjid, dep.refobjsubid, dep.deptype),
            E'\n' ORDER BY dep.objid, dep.refobjid, dep.refobjsubid, dep.deptype
        )
        FROM pg_depend AS dep
        JOIN rel ON rel.oid = dep.objid
        WHERE dep.classid = 'pg_class'::regclass AND dep.deptype IN ('a', 'e', 'i')
    ),
    (
        SELECT string_agg(
            concat_ws('|', s.seqrelid, s.seqtypid, s.seqstart, s.seqincrement, s.seqmax,
                s.seqmin, s.seqcache, s.seqcycle),
            E'\n' ORDER BY s.seqrelid
        )
        FROM pg_sequence AS s
        JOIN rel ON rel.oid = s.seqrelid
    ),
    (
        SELECT string_agg(
            concat_ws('|', tg.oid, tg.tgrelid, tg.tgname, tg.tgfoid, tg.tgtype, tg.tgenabled,
                tg.tgqual::text),
            E'\n' ORDER BY tg.oid
        )
        FROM pg_trigger AS tg
        JOIN rel ON rel.oid = tg.tgrelid
        WHERE NOT tg.tgisinternal
    ),
    (
        SELECT string_agg(
            concat_ws('|', p.oid, p.proname, p.prorettype, p.proargtypes, md5(p.prosrc)),
            E'\n' ORDER BY p.oid
        )
        FROM pg_proc AS p
        JOIN ns ON ns.oid = p.pronamespace
    ),
    (
        SELECT string_agg(concat_ws('|', oid, extname, extnamespace, extversion), E'\n' ORDER BY oid)
        FROM pg_extension
    )
))
