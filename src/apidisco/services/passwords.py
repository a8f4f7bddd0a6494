"""Password hashing with bcrypt."""

from __future__ import annotations

import bcrypt

__all__ = ["DEFAULT_ROUNDS", "hash_password", "verify_password"]

DEFAULT_ROUNDS = 12
_BCRYPT_MAX_BYTES = 72


def _encode(password: str) -> bytes:
    # bcrypt reads at most 72 bytes; newer releases refuse longer input.
    return password.encode("utf-8")[:_BCRYPT_MAX_BYTES]


def hash_password(password: str, *, rounds: int = DEFAULT_ROUNDS) -> str:
    return bcrypt.hashpw(_encode(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_encode(password), password_hash.encode("ascii"))
    except ValueError:  # not a bcrypt hash
        return False
