-- Operator classes that are not their type's default, and every collation, by oid: index
-- keys name theirs through these (cheaper than a lookup per key of every index).
SELECT 'opclass', opc.oid, opc.opcname FROM pg_opclass AS opc WHERE NOT opc.opcdefault
UNION ALL
SELECT 'collation', co.oid, co.collname FROM pg_collation AS co
