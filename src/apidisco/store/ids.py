"""Primary keys: cuid2 strings, as the schema's ``@default(cuid())``.

An id is made the way cuid2 makes one: a random lowercase letter, then base-36
digits of the SHA3-512 hash of the time, a random salt, a counter and a host
fingerprint (24 characters in all). Three things differ from the ``cuid2``
package's generator, all for speed (the capture writer makes an id per
captured row): the salt comes from a process-local PRNG seeded from
``os.urandom`` and reseeded in every forked child, so that two processes never
share a sequence, instead of one ``secrets.SystemRandom`` system call per
character (ids are not secrets: session tokens are made separately, with
:mod:`secrets`); and the numbers that are hashed are written in hex, and only
the hash's leading base-36 digits are computed, which saves writing out ~130
digits one division at a time. The fingerprint is cuid2's own.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import os
import random
import string
import time

from cuid2.utils import INITIAL_COUNT_MAX, create_fingerprint

__all__ = ["new_id"]

_LENGTH = 24
_LETTERS = string.ascii_lowercase
_DIGITS = string.digits + string.ascii_lowercase
_PAIRS = [a + b for a in _DIGITS for b in _DIGITS]  # 0..1295 as two base-36 digits
_POWERS = [36**exponent for exponent in range(110)]  # covers every 512-bit number


def _base36(number: int) -> str:
    """``number`` (≥ 0) in base 36, lowercase digits, as cuid2 writes it."""
    if number < 36:
        return _DIGITS[number]
    pairs = []
    while number >= 1296:
        number, low = divmod(number, 1296)
        pairs.append(_PAIRS[low])
    pairs.append(_PAIRS[number] if number >= 36 else _DIGITS[number])
    return "".join(reversed(pairs))


def _leading_base36(number: int, count: int) -> str:
    """The first ``count`` base-36 digits of ``number``."""
    digits = bisect.bisect_right(_POWERS, number)  # how many ``number`` has
    if digits > count:
        number //= _POWERS[digits - count]
    return _base36(number)


class _Generator:
    """cuid2's construction, with a seeded PRNG for the letter and the salt."""

    def __init__(self) -> None:
        self._random = random.Random(int.from_bytes(os.urandom(32), "big"))
        self._count = math.floor(self._random.random() * INITIAL_COUNT_MAX)
        self._fingerprint = create_fingerprint(random_generator=self._random)

    def generate(self) -> str:
        self._count += 1
        salt = self._random.getrandbits(124)  # as many bits as 24 base-36 digits
        seed = f"{time.time_ns():x}{salt:x}{self._count:x}{self._fingerprint}"
        digest = int.from_bytes(hashlib.sha3_512(seed.encode()).digest(), "big")
        # cuid2 drops the hash's first digit, then keeps the next 23 after the letter.
        return _LETTERS[self._random.randrange(26)] + _leading_base36(digest, _LENGTH + 1)[2:]


_generator: _Generator | None = None


def _forget_after_fork() -> None:
    global _generator
    _generator = None


os.register_at_fork(after_in_child=_forget_after_fork)


def new_id() -> str:
    """A new 24-character, URL-safe, collision-resistant id."""
    global _generator
    if _generator is None:
        _generator = _Generator()
    return _generator.generate()
