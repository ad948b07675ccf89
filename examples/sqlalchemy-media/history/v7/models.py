"""Version 7: emails go (accepted data loss); ratings are checked to be 0 to 10; media
are listed by library and year through an index."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(
        String(80), unique=True, info={"trueup": {"renamed_from": "name"}}
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Kind(enum.Enum):
    movies = "movies"
    shows = "shows"
    music = "music"


class Library(Base):
    __tablename__ = "libraries"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(400), unique=True)
    kind: Mapped[Kind] = mapped_column(Enum(Kind, name="library_kind"), server_default="movies")


class Media(Base):
    __tablename__ = "media"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 0 AND 10", name="rating_range"),
        Index("ix_media_library_year", "library_id", "year"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(
        ForeignKey("libraries.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), index=True)
    year: Mapped[int | None]
    duration: Mapped[float | None]  # seconds
    rating: Mapped[float | None]
    added_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Playback(Base):
    __tablename__ = "playback"
    __table_args__ = {"info": {"trueup": {"renamed_from": "watch_history"}}}
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    media_id: Mapped[int] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(server_default="0")
    watched_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Genre(Base):
    __tablename__ = "genres"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class MediaGenre(Base):
    __tablename__ = "media_genres"
    media_id: Mapped[int] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), primary_key=True
    )
    genre_id: Mapped[int] = mapped_column(
        ForeignKey("genres.id", ondelete="CASCADE"), primary_key=True
    )
