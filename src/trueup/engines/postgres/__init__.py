"""The PostgreSQL engine (psycopg 3, imported only when a PostgreSQL database is used)."""
