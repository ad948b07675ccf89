"""A stand-in for the media server: serves the newest media as JSON on port 8000.

It only reads the database; its schema is trueup's job (see entrypoint.sh).
"""

import json
import os
import sqlite3
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DATABASE = os.environ.get("DATABASE_URL", "file:/data/media.db").removeprefix("file:")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        conn = sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT id, title, library FROM recently_added LIMIT 50")
            body = json.dumps([dict(zip(("id", "title", "library"), r)) for r in rows])
        finally:
            conn.close()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())


if __name__ == "__main__":
    ThreadingHTTPServer(("", 8000), Handler).serve_forever()
