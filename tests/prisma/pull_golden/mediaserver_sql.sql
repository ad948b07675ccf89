-- The SQL variant of the bundled media server example (version 2), as a database to pull.
CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    is_admin   BOOLEAN NOT NULL DEFAULT 0,
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
    title      TEXT NOT NULL DEFAULT 'Untitled',
    year       INTEGER CHECK (year IS NULL OR year > 1800),
    duration   INTEGER,
    rating     REAL,
    added_at   TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX media_library ON media (library_id);
CREATE INDEX media_title ON media (title COLLATE NOCASE);

CREATE TABLE watch_history (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    media_id   INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    watched_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, media_id)
);

CREATE TABLE collections (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
);

CREATE TABLE collection_items (
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    media_id      INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    PRIMARY KEY (collection_id, media_id)
);

CREATE VIEW recently_added AS
    SELECT m.id, m.title, m.rating, l.name AS library FROM media m JOIN libraries l ON l.id = m.library_id
    ORDER BY m.added_at DESC;
