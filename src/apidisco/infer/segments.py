"""The shape of one URL path segment, and the parameter name its parent suggests.

:func:`classify` looks at a segment alone (percent-decoded) and says what it
looks like. The first matching rule wins:

=============  ===============================================  =================
kind           looks like                                       JSON Schema
=============  ===============================================  =================
``empty``      ``""`` (a trailing or doubled slash)             string
``integer``    ``42``, ``007``                                  integer (string
                                                                when zero-padded)
``uuid``       ``123e4567-e89b-12d3-a456-426614174000``         string, uuid
``date``       ``2024-01-31`` (a real calendar date)            string, date
``datetime``   ``2024-01-31T10:00:00Z``                         string, date-time
``email``      ``alice@example.com``                            string, email
``version``    ``v1``, ``v2beta``, ``V3``, ``1.0``, ``2.1.3``   string
``hash``       hex of md5/sha1/sha256/sha512 length (32/40/     string
               64/128)
``hex``        8+ hex digits in one case, with a digit and a    string
               letter (``5f2b6c1e9a``, Mongo ObjectIds)
``ulid``       26 Crockford base-32 characters, first ``0-7``   string
``cuid``       cuid (``c`` + 24) or cuid2 (24) lowercase        string
               base-36 with a digit
``word``       letters, maybe joined by ``-``/``_``             string
               (``me``, ``user-profiles``)
``slug``       words and numbers joined by ``-``/``_``/``.``     string
               (``iphone-15-pro``), or a short token mixing
               letters and digits (``oauth2``, ``b1``)
``base64ish``  16+ characters of ``[A-Za-z0-9_-]`` (optional    string
               ``=`` padding) with a letter and two digits,
               not words and numbers (``k3j4h5g6f7d8s9a0``)
``other``      anything else (``openapi.json``, ``a b``)        string
=============  ===============================================  =================

Identifier-shaped kinds (integer, uuid, date, datetime, email, hash, hex, ulid,
cuid, base64ish) make a path parameter by shape alone, even from one sample.
Versions and empty segments always stay literal. Words, slugs and other
segments become a parameter only on cardinality evidence (see
:mod:`apidisco.infer.paths`); the :data:`RESERVED_WORDS` (``me``, ``search``,
``latest`` ...) name an alias or an action and never do.

:func:`parameter_base` turns a parent segment into a parameter name:
``users`` → ``userId``, ``categories`` → ``categoryId``, ``api-keys`` →
``apiKeyId``, ``people`` → ``personId``. Singular forms come from a small
fixed rule set (:func:`singular`), not a dictionary, so they are predictable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from urllib.parse import unquote

__all__ = [
    "PARAMETER_KINDS",
    "RESERVED_WORDS",
    "SegmentKind",
    "SegmentShape",
    "classify",
    "parameter_base",
    "singular",
]


class SegmentKind(StrEnum):
    EMPTY = "empty"
    INTEGER = "integer"
    UUID = "uuid"
    DATE = "date"
    DATETIME = "datetime"
    EMAIL = "email"
    VERSION = "version"
    HASH = "hash"
    HEX = "hex"
    ULID = "ulid"
    CUID = "cuid"
    WORD = "word"
    SLUG = "slug"
    BASE64ISH = "base64ish"
    OTHER = "other"


K = SegmentKind

#: Kinds that make a path parameter by their shape alone.
PARAMETER_KINDS: frozenset[SegmentKind] = frozenset(
    {K.INTEGER, K.UUID, K.DATE, K.DATETIME, K.EMAIL, K.HASH, K.HEX, K.ULID, K.CUID, K.BASE64ISH}
)

#: Words that name an alias or an action beside a collection's identifiers
#: (``/users/me``, ``/posts/latest``, ``/orders/search``): never merged into a
#: parameter by cardinality, only by a pin.
RESERVED_WORDS: frozenset[str] = frozenset(
    {
        "active",
        "all",
        "archived",
        "batch",
        "bulk",
        "config",
        "count",
        "current",
        "default",
        "export",
        "featured",
        "first",
        "health",
        "import",
        "info",
        "last",
        "latest",
        "me",
        "mine",
        "my",
        "new",
        "next",
        "now",
        "popular",
        "previous",
        "private",
        "profile",
        "public",
        "random",
        "recent",
        "search",
        "self",
        "settings",
        "stats",
        "status",
        "summary",
        "today",
        "top",
        "trending",
        "upcoming",
    }
)

_SCHEMA: dict[SegmentKind, tuple[str, str | None]] = {
    K.INTEGER: ("integer", None),
    K.UUID: ("string", "uuid"),
    K.DATE: ("string", "date"),
    K.DATETIME: ("string", "date-time"),
    K.EMAIL: ("string", "email"),
}


@dataclass(frozen=True, order=True)
class SegmentShape:
    """What one segment looks like, and the JSON Schema type of a parameter holding it."""

    kind: SegmentKind
    json_type: str = "string"
    json_format: str | None = None

    @property
    def is_parameter(self) -> bool:
        """True when the shape alone makes the segment a path parameter."""
        return self.kind in PARAMETER_KINDS


_INTEGER = re.compile(r"[0-9]+")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_VERSION = re.compile(r"[vV][0-9]+([._][0-9]+)*([a-z]+[0-9]*)?|[0-9]+(\.[0-9]+)+")
_HASH_LENGTHS = frozenset({32, 40, 64, 128})
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}|[0-7][0-9a-hjkmnp-tv-z]{25}")
_CUID = re.compile(r"c[a-z0-9]{24}|[a-z][a-z0-9]{23}")
_WORD = re.compile(r"[A-Za-z]+([-_][A-Za-z]+)*")
_SLUG = re.compile(r"[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*")
_BASE64ISH = re.compile(r"[A-Za-z0-9_-]{16,}={0,2}")
_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[A-Za-z]")


def _shape(kind: SegmentKind) -> SegmentShape:
    json_type, json_format = _SCHEMA.get(kind, ("string", None))
    return SegmentShape(kind, json_type, json_format)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _has_digit_and_letter(text: str) -> bool:
    return _DIGIT.search(text) is not None and _LETTER.search(text) is not None


def _is_base64ish(text: str) -> bool:
    return (
        _BASE64ISH.fullmatch(text) is not None
        and _LETTER.search(text) is not None
        and len(_DIGIT.findall(text)) >= 2
    )


def classify(segment: str) -> SegmentShape:
    """The shape of one path segment (percent-decoded first); see the module docstring."""
    text = unquote(segment)
    if not text:
        return _shape(K.EMPTY)
    if _INTEGER.fullmatch(text):
        if len(text) > 1 and text.startswith("0"):
            return SegmentShape(K.INTEGER, "string", None)
        return _shape(K.INTEGER)
    if _UUID.fullmatch(text):
        return _shape(K.UUID)
    if _DATE.fullmatch(text) and _is_date(text):
        return _shape(K.DATE)
    if _DATETIME.fullmatch(text) and _is_datetime(text):
        return _shape(K.DATETIME)
    if _EMAIL.fullmatch(text):
        return _shape(K.EMAIL)
    if _VERSION.fullmatch(text):
        return _shape(K.VERSION)
    if _HEX.fullmatch(text):
        if len(text) in _HASH_LENGTHS:
            return _shape(K.HASH)
        if len(text) >= 8 and _has_digit_and_letter(text):
            return _shape(K.HEX)
    if _ULID.fullmatch(text):
        return _shape(K.ULID)
    if _CUID.fullmatch(text) and _DIGIT.search(text):
        return _shape(K.CUID)
    if _WORD.fullmatch(text):
        return _shape(K.WORD)
    if _SLUG.fullmatch(text) and _has_digit_and_letter(text):
        if all(part.isalpha() or part.isdigit() for part in re.split(r"[-_.]", text)):
            return _shape(K.SLUG)  # words and numbers: iphone-15-pro, my-post-2024
        return _shape(K.BASE64ISH if _is_base64ish(text) else K.SLUG)
    if _is_base64ish(text):
        return _shape(K.BASE64ISH)
    return _shape(K.OTHER)


# Plural → singular: irregular forms first, then suffix rules, longest first.
_IRREGULAR: dict[str, str] = {
    "aliases": "alias",
    "analyses": "analysis",
    "buses": "bus",
    "children": "child",
    "cookies": "cookie",
    "data": "data",
    "feet": "foot",
    "geese": "goose",
    "indices": "index",
    "matrices": "matrix",
    "media": "media",
    "men": "man",
    "mice": "mouse",
    "movies": "movie",
    "news": "news",
    "people": "person",
    "quizzes": "quiz",
    "series": "series",
    "species": "species",
    "statuses": "status",
    "teeth": "tooth",
    "vertices": "vertex",
    "women": "woman",
}
_KEEP_ENDINGS = ("ss", "us", "is")
_ES_ENDINGS = ("sses", "xes", "ches", "shes", "zzes")


def singular(word: str) -> str:
    """A predictable singular of an English plural (``categories`` → ``category``).

    Irregulars from a short table; then ``-ies`` → ``-y``; ``-sses``, ``-xes``,
    ``-ches``, ``-shes``, ``-zzes`` lose ``-es``; words ending in ``-ss``,
    ``-us`` or ``-is`` are already singular; otherwise a final ``-s`` goes.
    The case of what remains is kept.
    """
    lower = word.lower()
    if lower in _IRREGULAR:
        replacement = _IRREGULAR[lower]
        return word[:1] + replacement[1:] if word[:1].isupper() else replacement
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + ("Y" if word[-3:].isupper() else "y")
    if lower.endswith(_ES_ENDINGS):
        return word[:-2]
    if lower.endswith(_KEEP_ENDINGS):
        return word
    if lower.endswith("s") and len(lower) > 1:
        return word[:-1]
    return word


_NAME_PARTS = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def parameter_base(parent: str) -> str | None:
    """``userId`` for ``users``: the parent segment singular, camelCase, plus ``Id``.

    ``None`` when the parent cannot name anything (a version, a number, a
    segment without letters): the caller then numbers its parameters.
    """
    shape = classify(parent)
    if shape.kind not in (K.WORD, K.SLUG):
        return None
    parts: list[str] = _NAME_PARTS.findall(parent)  # a word or slug has a letter
    parts[-1] = singular(parts[-1])
    head = parts[0][:1].lower() + parts[0][1:]
    tail = "".join(part[:1].upper() + part[1:] for part in parts[1:])
    return head + tail + "Id"
