"""Primary keys: cuid2 strings, as the schema's ``@default(cuid())``.

cuid2 hashes (SHA3-512) a random salt together with the time, a counter and a
host fingerprint. Its default salt source is ``secrets.SystemRandom``, which
costs one system call per character; ids are not secrets (session tokens are
made separately, with :mod:`secrets`), so the salt here comes from a
process-local PRNG seeded from ``os.urandom`` and reseeded in every forked
child, so that two processes never share a sequence. The capture writer makes
an id per captured row, and this keeps that cheap.
"""

from __future__ import annotations

import os
import random

from cuid2 import Cuid

__all__ = ["new_id"]


def _generator() -> Cuid:
    return Cuid(random_generator=lambda: random.Random(int.from_bytes(os.urandom(32), "big")))


_cuid: Cuid | None = None


def _forget_after_fork() -> None:
    global _cuid
    _cuid = None


os.register_at_fork(after_in_child=_forget_after_fork)


def new_id() -> str:
    """A new 24-character, URL-safe, collision-resistant id."""
    global _cuid
    if _cuid is None:
        _cuid = _generator()
    return _cuid.generate()
