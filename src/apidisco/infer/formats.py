"""Which JSON Schema string formats a string value satisfies.

Conservative on purpose: a format is only claimed for a schema node when every
string seen there matches it (:mod:`apidisco.infer.schema`), and a generated
client will parse the field accordingly, so a false positive costs more than a
missed format. Standard library only:

==========  ===============================================================
date-time   RFC 3339 ``date-time``: ``T`` separator, seconds, offset
            required (``Z`` or ``±hh:mm``), fraction optional; the date is
            checked with ``date.fromisoformat``; a leap second (``:60``) is
            refused, as common validators and ``datetime`` refuse it.
date        RFC 3339 ``full-date`` (``2024-02-29``), checked the same way.
time        RFC 3339 ``full-time``: offset required, as JSON Schema 2020-12
            says; ``14:30:00`` without an offset is *not* a ``time``.
uuid        the canonical hyphenated 8-4-4-4-12 hex form (RFC 4122); braces
            and ``urn:uuid:`` prefixes, which ``uuid.UUID`` accepts, are not.
email       a conservative ASCII ``local@domain.tld`` pattern (dot-atoms, a
            dotted domain, an alphabetic TLD). ``email-validator`` is not used:
            it is far slower per value and pulls in dnspython, a network
            library, for a question that is only "does this look like one".
ipv4        dotted quad, as ``ipaddress.IPv4Address`` (no leading zeros).
ipv6        as ``ipaddress.IPv6Address``, without a ``%zone`` suffix.
uri         absolute: a scheme and an authority (``https://host/...``), or
            one of a few schemes that have no authority (``mailto:``, ``urn:``,
            ``tel:``, ``data:``, ``file:``); ASCII, no spaces or ``<>"{}|\\^```.
            ``localhost:8080`` and ``note:x`` are not URIs here.
==========  ===============================================================
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from datetime import date
from urllib.parse import urlsplit

__all__ = ["FORMATS", "matching_formats", "pick_format"]

#: Every format detected, in the order :func:`pick_format` prefers them.
FORMATS: tuple[str, ...] = ("date-time", "date", "time", "uuid", "email", "ipv4", "ipv6", "uri")

_TIME = r"(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))"
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME_RE = re.compile(_TIME, re.ASCII)
_DATE_TIME_RE = re.compile(rf"(\d{{4}}-\d{{2}}-\d{{2}})[Tt]{_TIME}", re.ASCII)
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", re.ASCII)
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}", re.ASCII)
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*", re.ASCII)
_NO_AUTHORITY_SCHEMES = frozenset({"mailto", "urn", "tel", "data", "file"})
_URI_FORBIDDEN = frozenset(' <>"{}|\\^`')


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_time(match: re.Match[str], first: int) -> bool:
    hour, minute, second, offset_hour, offset_minute = match.groups()[first : first + 5]
    if int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        return False
    return offset_hour is None or (int(offset_hour) <= 23 and int(offset_minute) <= 59)


def _is_date_time(value: str) -> bool:
    match = _DATE_TIME_RE.fullmatch(value)
    return match is not None and _valid_date(match.group(1)) and _valid_time(match, 1)


def _is_date(value: str) -> bool:
    return _DATE_RE.fullmatch(value) is not None and _valid_date(value)


def _is_time(value: str) -> bool:
    match = _TIME_RE.fullmatch(value)
    return match is not None and _valid_time(match, 0)


def _is_uuid(value: str) -> bool:
    return _UUID_RE.fullmatch(value) is not None


def _is_email(value: str) -> bool:
    return len(value) <= 254 and _EMAIL_RE.fullmatch(value) is not None


def _is_ipv4(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _is_ipv6(value: str) -> bool:
    if ":" not in value or "%" in value:
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def _is_uri(value: str) -> bool:
    if not value.isascii() or any(
        c in _URI_FORBIDDEN or ord(c) < 32 or ord(c) == 127 for c in value
    ):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    if not _SCHEME_RE.fullmatch(parts.scheme):
        return False
    if parts.netloc:
        return bool(parts.hostname)
    return parts.scheme.lower() in _NO_AUTHORITY_SCHEMES and bool(parts.path)


_CHECKS: dict[str, Callable[[str], bool]] = {
    "date-time": _is_date_time,
    "date": _is_date,
    "time": _is_time,
    "uuid": _is_uuid,
    "email": _is_email,
    "ipv4": _is_ipv4,
    "ipv6": _is_ipv6,
    "uri": _is_uri,
}


def matching_formats(value: str, candidates: Iterable[str] = FORMATS) -> frozenset[str]:
    """The formats among ``candidates`` that ``value`` satisfies.

    Pass the formats still possible for a schema node so a node whose strings
    matched nothing so far costs nothing more.
    """
    return frozenset(name for name in candidates if _CHECKS[name](value))


def pick_format(candidates: Iterable[str]) -> str | None:
    """The preferred format among ``candidates`` (in :data:`FORMATS` order), if any."""
    remaining = set(candidates)
    return next((name for name in FORMATS if name in remaining), None)
