-- trueup:after
-- Version 6 gives libraries a kind, movies unless told: the music ones are told here.
UPDATE libraries SET kind = 'music' WHERE path LIKE '%/music%';
