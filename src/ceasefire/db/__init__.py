"""Database plumbing: declarative base, portable column types, engines and sessions."""

from ceasefire.db.base import Base
from ceasefire.db.engine import create_engine_for, session_factory, transaction

__all__ = ["Base", "create_engine_for", "session_factory", "transaction"]
