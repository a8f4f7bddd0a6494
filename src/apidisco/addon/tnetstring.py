"""mitmproxy's tnetstring dialect, read fast: the records of a flow file.

A flow file (``mitmdump -w``) is a sequence of tnetstrings, one per flow, in
mitmproxy's dialect (``,`` bytes, ``;`` text, ``#`` integers, ``^`` floats,
``!`` booleans, ``~`` null, ``]`` lists, ``}`` dictionaries). mitmproxy's own
parser (``mitmproxy.io.tnetstring``) finds each length prefix byte by byte in
Python and slices a memoryview per value; reading a flow file with it costs
more than everything apidisco then does with the flows. This reader takes one
record at a time from the stream and parses it with ``bytes.find`` and a loop
per container, giving the same values (the tests compare both on generated
and real data).

One more saving, for what apidisco never reads of a flow: a flow's
``client_conn`` and ``server_conn`` (TLS details, certificates, addresses:
about 40% of a flow's values) are kept as :class:`Unparsed` raw tnetstrings,
and parsed after all only when the flow's format is older than mitmproxy's,
because the format migrations read them (:func:`read_record`).
"""

from __future__ import annotations

from typing import IO, Any

__all__ = ["Unparsed", "loads", "read_record"]

#: The flow's top-level keys kept unparsed (when the flow's format is current).
UNREAD_KEYS = frozenset({"client_conn", "server_conn"})
_MAX_PREFIX = 12  # digits of a length prefix, as mitmproxy allows
_UNHASHABLE_KEY = "not a tnetstring: a dictionary key is not hashable"


class Unparsed(bytes):
    """A value left as its raw tnetstring; :func:`loads` parses it."""

    __slots__ = ()


def loads(data: bytes) -> Any:
    """The value of the single tnetstring ``data``; ``ValueError`` if it is not one."""
    values = _values(data, 0, len(data))
    if len(values) != 1:
        raise ValueError("not a tnetstring: expected one value")
    return values[0]


def read_record(stream: IO[bytes], *, current_version: int) -> Any:
    """The next record of ``stream``, or ``None`` at the end of the stream.

    A record that is a flow of the ``current_version`` format keeps its
    connections :class:`Unparsed`; any other is parsed whole. ``ValueError``
    when the stream holds no valid tnetstring here (a truncated record too).
    """
    data = _record(stream)
    if data is None:
        return None
    colon = data.index(b":")
    end = len(data) - 1
    if data[end] != 125:  # not a dictionary: not a flow, parse it as it is
        return loads(data)
    flow = _flow(data, colon + 1, end)
    version = flow.get("version")
    if version != current_version:
        for key in UNREAD_KEYS.intersection(flow):
            value = flow[key]
            if isinstance(value, Unparsed):
                flow[key] = loads(value)
    return flow


def _record(stream: IO[bytes]) -> bytes | None:
    """The bytes of the stream's next tnetstring, prefix and tag included."""
    prefix = stream.read(1)
    if not prefix:
        return None
    while prefix[-1:].isdigit():
        if len(prefix) > _MAX_PREFIX:
            raise ValueError("not a tnetstring: absurdly large length prefix")
        more = stream.read(1)
        if not more:
            raise ValueError("not a tnetstring: the record is cut short")
        prefix += more
    if not prefix.endswith(b":") or len(prefix) < 2:
        raise ValueError("not a tnetstring: missing or invalid length prefix")
    length = int(prefix[:-1])
    rest = stream.read(length + 1)
    if len(rest) != length + 1:
        raise ValueError("not a tnetstring: the record is cut short")
    return prefix + rest


def _flow(data: bytes, position: int, end: int) -> dict[Any, Any]:
    """The dictionary in ``data[position:end]``, its connections left unparsed."""
    flow: dict[Any, Any] = {}
    while position < end:
        key_end = _next(data, position, end)
        (key,) = _values(data, position, key_end)
        if isinstance(key, list | dict):
            raise ValueError(_UNHASHABLE_KEY)
        value_end = _next(data, key_end, end)
        if key in UNREAD_KEYS:
            flow[key] = Unparsed(data[key_end:value_end])
        else:
            (flow[key],) = _values(data, key_end, value_end)
        position = value_end
    return flow


def _next(data: bytes, position: int, end: int) -> int:
    """Where the tnetstring starting at ``position`` ends (after its tag)."""
    colon = data.find(b":", position, position + _MAX_PREFIX + 1)
    if colon <= position or not data[position:colon].isdigit():
        raise ValueError("not a tnetstring: missing or invalid length prefix")
    tag_at = colon + 1 + int(data[position:colon])
    if tag_at >= end:
        raise ValueError("not a tnetstring: invalid length prefix")
    return tag_at + 1


def _values(data: bytes, position: int, end: int) -> list[Any]:
    """The values laid end to end in ``data[position:end]``.

    One loop per container, scalars parsed inline: a call per value is what
    makes a recursive parser slow.
    """
    values: list[Any] = []
    append = values.append
    find = data.find
    while position < end:
        colon = find(b":", position, position + _MAX_PREFIX + 1)
        if colon <= position:
            raise ValueError("not a tnetstring: missing or invalid length prefix")
        prefix = data[position:colon]
        if not prefix.isdigit():
            raise ValueError("not a tnetstring: missing or invalid length prefix")
        body = colon + 1
        tag_at = body + int(prefix)
        if tag_at >= end:
            raise ValueError("not a tnetstring: invalid length prefix")
        tag = data[tag_at]
        if tag == 59:  # ;
            append(data[body:tag_at].decode())
        elif tag == 44:  # ,
            append(data[body:tag_at])
        elif tag == 125:  # }
            pairs = _values(data, body, tag_at)
            if len(pairs) % 2:
                raise ValueError("not a tnetstring: a dictionary key has no value")
            try:
                append(dict(zip(pairs[::2], pairs[1::2], strict=True)))
            except TypeError:  # a key that is a list or a dictionary
                raise ValueError(_UNHASHABLE_KEY) from None
        elif tag == 93:  # ]
            append(_values(data, body, tag_at))
        elif tag == 35:  # #
            append(_number(int, data[body:tag_at]))
        elif tag == 126:  # ~
            if tag_at != body:
                raise ValueError("not a tnetstring: invalid null literal")
            append(None)
        elif tag == 33:  # !
            append(_boolean(data[body:tag_at]))
        elif tag == 94:  # ^
            append(_number(float, data[body:tag_at]))
        else:
            raise ValueError(f"not a tnetstring: unknown type tag {tag}")
        position = tag_at + 1
    return values


def _number(kind: type[int] | type[float], text: bytes) -> int | float:
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"not a tnetstring: invalid {kind.__name__} literal {text!r}") from None


def _boolean(text: bytes) -> bool:
    if text == b"true":
        return True
    if text == b"false":
        return False
    raise ValueError(f"not a tnetstring: invalid boolean literal {text!r}")
