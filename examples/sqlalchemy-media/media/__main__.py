"""The media server's start-up: the schema first, then the app.

``trueup.sync()`` stands where ``Base.metadata.create_all(engine)`` stood: it adds what is
new, changes what changed (rebuilding SQLite tables where needed), runs the data steps in
``media/trueup/steps``, backs the database up before any change, and refuses to lose
data. Several copies started at once take turns: one changes the database, the others
find it in sync.
"""

import os
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

import trueup
from media.models import Base


def main() -> None:
    engine = create_engine(os.environ.get("DATABASE_URL", "sqlite:///media.db"))
    try:
        result = trueup.sync(
            engine,
            Base.metadata,
            steps=str(Path(__file__).parent),
            backup_dir=os.environ.get("BACKUP_DIR"),  # None: beside a SQLite file
        )
    except trueup.UnsafePlan as refused:
        # The app decides: here it does not start, and says why.
        sys.exit(f"The database was not changed: {refused.message}")
    if result.applied:
        print(f"Schema updated ({len(result.plan.steps)} statements), backup: {result.backup}")
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM media")).scalar_one()
    print(f"Serving {count} media.")


if __name__ == "__main__":
    main()
