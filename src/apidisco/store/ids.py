"""Primary keys: cuid2 strings, as the schema's ``@default(cuid())``."""

from __future__ import annotations

from cuid2 import create_id

__all__ = ["new_id"]


def new_id() -> str:
    """A new 24-character, URL-safe, collision-resistant id."""
    return str(create_id())
