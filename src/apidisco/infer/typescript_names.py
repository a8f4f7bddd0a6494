"""Names in a TypeScript declaration file: identifiers, literals and unique names.

- :func:`pascal` makes a PascalCase ASCII identifier of any text
  (``list_users`` → ``ListUsers``, ``Café`` → ``Cafe``);
- :func:`property_name` keeps a property name that is an ASCII identifier and
  quotes any other; :func:`literal` writes a JSON value as a TypeScript literal;
- :func:`unique` gives the first free numeric suffix (``User``, ``User2``, …),
  and :func:`component_names` names every component schema that way, never
  taking a :data:`RESERVED` name.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from itertools import count
from typing import Any

__all__ = ["RESERVED", "component_names", "literal", "pascal", "property_name", "unique"]

#: Names a declaration never takes: the language's reserved and type keywords, the
#: global type the file itself uses (``Blob``), the wrappers of the primitive types and
#: the utility types. Other globals (``Error``, ``File``, ``Map``) are fair names for an
#: API's types: a declaration in a module only shadows them inside that module.
RESERVED = frozenset(
    """
    abstract any as asserts async await bigint boolean break case catch class const constructor
    continue debugger declare default delete do else enum export extends false finally for from
    function get global if implements import in infer instanceof interface intrinsic is keyof let
    module namespace never new null number object of package private protected public readonly
    require return satisfies set static string super switch symbol this throw true try type
    typeof undefined unique unknown var void while with yield
    Array ArrayBuffer Awaited BigInt Blob Boolean Exclude Extract Function NonNullable Number
    Object Omit Partial Pick Promise Readonly ReadonlyArray Record Required ReturnType String
    Symbol Uint8Array
    """.split()
)

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def literal(value: Any) -> str:
    """A JSON value as a TypeScript literal (strings double-quoted, as JSON writes them)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def property_name(name: str) -> str:
    """The name as written in an interface: as it is when an identifier, else quoted."""
    return name if _IDENTIFIER.fullmatch(name) else literal(name)


def pascal(text: str) -> str:
    """``list_users`` → ``ListUsers``, ``getUser`` → ``GetUser``, ``Café`` → ``Cafe``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(
        part[0].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", ascii_text) if part
    )


def unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base2``, ``base3`` … : the first not in ``taken`` (not added to it)."""
    for n in count(1):
        name = base if n == 1 else f"{base}{n}"
        if name not in taken:
            return name
    raise AssertionError("unreachable")  # pragma: no cover


def component_names(keys: Iterable[str], taken: set[str]) -> dict[str, str]:
    """Each component schema key's declared name, in the order given; every name
    is added to ``taken``. A name that would not start with a letter gets ``Schema``
    in front."""
    names: dict[str, str] = {}
    for key in keys:
        pascal_key = pascal(key)
        base = pascal_key if pascal_key[:1].isalpha() else f"Schema{pascal_key}"
        names[key] = name = unique(base, taken)
        taken.add(name)
    return names
