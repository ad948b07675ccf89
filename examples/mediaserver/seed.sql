INSERT INTO users (name) VALUES ('alice'), ('bob');
INSERT INTO libraries (name, path) VALUES ('Movies', '/media/movies'), ('Shows', '/media/shows');
INSERT INTO media (library_id, title, year, duration) VALUES
    (1, 'Metropolis', 1927, 153),
    (1, NULL, 2019, 95),
    (2, 'Cosmos', 1980, 60);
INSERT INTO watch_history (user_id, media_id, position) VALUES (1, 1, 3600), (2, 3, 120);
