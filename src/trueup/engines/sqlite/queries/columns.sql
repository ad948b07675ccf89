-- The columns of every ordinary table, hidden (generated) ones included.
SELECT m.name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
FROM sqlite_schema AS m
JOIN pragma_table_list AS l ON l.schema = 'main' AND l.name = m.name AND l.type = 'table'
JOIN pragma_table_xinfo(m.name) AS p
WHERE m.type = 'table'
ORDER BY m.name, p.cid
