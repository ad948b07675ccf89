-- trueup:before
-- Version 5 makes media.title required: the media without one get a name first.
UPDATE media SET title = '(untitled)' WHERE title IS NULL;
