-- Every index of every ordinary table with its key columns (cid -2 is an expression).
SELECT m.name, il.name, il."unique", il.origin, il.partial, x.seqno, x.cid, x.name, x."desc", x.coll
FROM sqlite_schema AS m
JOIN pragma_table_list AS l ON l.schema = 'main' AND l.name = m.name AND l.type = 'table'
JOIN pragma_index_list(m.name) AS il
JOIN pragma_index_xinfo(il.name) AS x
WHERE m.type = 'table' AND x.key = 1
ORDER BY m.name, il.name, x.seqno
