-- Every schema object with the statement that made it, and what kind of table it is
-- (pragma_table_list tells plain, virtual and shadow tables apart, plus STRICT/WITHOUT ROWID).
SELECT m.type, m.name, m.tbl_name, m.sql, l.type AS table_kind, l.wr, l.strict
FROM sqlite_schema AS m
LEFT JOIN pragma_table_list AS l ON l.schema = 'main' AND l.name = m.name
ORDER BY m.rowid
