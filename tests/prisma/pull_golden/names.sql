-- Names Prisma cannot use as they are, relations that need names, and join tables.
CREATE TABLE "Media Items" (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    "Title"     TEXT NOT NULL,
    "2nd title" TEXT,
    owner       INTEGER REFERENCES people (id) ON DELETE SET NULL,
    uploader    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE
);
CREATE TABLE people (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    people TEXT,
    mentor INTEGER REFERENCES people (id) ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL);
CREATE UNIQUE INDEX tags_label_key ON tags (label);
CREATE TABLE "_people_to_tags" (
    "A" INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE ON UPDATE CASCADE,
    "B" INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "_people_to_tags_AB_unique" ON "_people_to_tags" ("A", "B");
CREATE INDEX "_people_to_tags_B_index" ON "_people_to_tags" ("B");
CREATE TABLE events (at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, what TEXT);
