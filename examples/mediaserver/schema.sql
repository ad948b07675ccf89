-- A home media server's database, version 1.
CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE libraries (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE
);

CREATE TABLE media (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    library_id INTEGER NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    title      TEXT,
    year       INTEGER,
    duration   INTEGER,
    added_at   TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX media_library ON media (library_id);

CREATE TABLE watch_history (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    media_id   INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    watched_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, media_id)
);

CREATE VIEW recently_added AS
    SELECT m.id, m.title, l.name AS library FROM media m JOIN libraries l ON l.id = m.library_id
    ORDER BY m.added_at DESC;
