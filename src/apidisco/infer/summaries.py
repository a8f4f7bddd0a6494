"""Deterministic names for operations: a summary, an operationId and a tag.

Read off the method and the template alone, so they never change between runs::

    GET    /users                                  List users           listUsers
    GET    /users/{userId}                         Get a user by userId getUser
    POST   /buckets/{bucketId}/collections         Create a collection in a bucket
                                                                        createBucketCollection
    DELETE /buckets/{bucketId}/collections/{collectionId}
                                                   Delete a collection by collectionId
    POST   /kernels/{kernelId}/restart             Restart a kernel     restartKernel
    GET    /users/me                               Get the current user getCurrentUser

Versions (``v1``) and ``api`` prefixes are left out. An optional language model
may replace the summary later (``apidisco.describe``); these stay the fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apidisco.infer.segments import SegmentKind, classify, singular
from apidisco.infer.templates import PARAMETER, template_segments

__all__ = ["OperationNames", "name_operation"]

_SKIP = frozenset({"api", "rest", "rpc"})
_CURRENT = frozenset({"me", "self", "current", "mine", "my"})
_NOUN_SUFFIXES = ("s", "tion", "ment", "ness", "ity", "er", "or", "ics", "ata", "ia")
_VERBS = {
    "GET": "Get",
    "HEAD": "Check",
    "POST": "Create",
    "PUT": "Replace",
    "PATCH": "Update",
    "DELETE": "Delete",
    "OPTIONS": "Describe",
}
_ITEM_POST = "Update"
_U_AS_YOU = ("us", "uni", "uti", "uri", "ure", "eu")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


@dataclass(frozen=True)
class OperationNames:
    summary: str
    operation_id: str
    tag: str


def _words(segment: str) -> list[str]:
    return [word.lower() for word in _WORDS.findall(segment.replace("-", " ").replace("_", " "))]


def _phrase(segment: str) -> str:
    return " ".join(_words(segment)) or segment


def _camel(parts: list[str]) -> str:
    words = [word for part in parts for word in _words(part)]
    if not words:
        return "root"
    return words[0] + "".join(word.capitalize() for word in words[1:])


def _article(noun: str) -> str:
    """``a user``, ``an order``, ``an update``, ``a unit``: by sound, roughly."""
    lower = noun.lower()
    vowel = lower[:1] in ("a", "e", "i", "o") or (
        lower[:1] == "u" and not lower.startswith(_U_AS_YOU)
    )
    return f"an {noun}" if vowel else f"a {noun}"


def _is_noun_like(word: str) -> bool:
    """Plural or noun-shaped: ``users``, ``configuration``; not ``restart``, ``merge``."""
    lower = word.lower()
    return lower.endswith(_NOUN_SUFFIXES)


def _literal(segment: str) -> bool:
    return PARAMETER.fullmatch(segment) is None


def _meaningful(segments: tuple[str, ...]) -> list[tuple[int, str]]:
    return [
        (index, segment)
        for index, segment in enumerate(segments)
        if _literal(segment)
        and segment
        and segment.lower() not in _SKIP
        and classify(segment).kind is not SegmentKind.VERSION
    ]


def name_operation(method: str, template: str) -> OperationNames:
    """The summary, operationId and tag of ``method template``."""
    method = method.upper()
    segments = template_segments(template)
    literals = _meaningful(segments)
    tag = literals[0][1] if literals else "default"
    verb = _VERBS.get(method, method.capitalize())
    ends_with_parameter = bool(segments) and not _literal(segments[-1])
    if not literals or (ends_with_parameter and literals[-1][0] != len(segments) - 2):
        return _anonymous(method, verb, segments, literals, tag)
    last_index, last = literals[-1]
    parameter = segments[-1] if segments and not _literal(segments[-1]) else None
    parents = [segment for index, segment in literals[:-1] if index < last_index]
    parent = parents[-1] if parents else None
    follows_parameter = last_index > 0 and not _literal(segments[last_index - 1])
    if parameter is not None:
        return _item(method, verb, last, PARAMETER.fullmatch(parameter), parents, tag)
    if last.lower() in _CURRENT and parent is not None:
        noun = singular(_phrase(parent))
        return OperationNames(
            f"{verb} the current {noun}",
            _camel([verb.lower(), "current", singular(parent)]),
            tag,
        )
    if method == "POST" and not _is_noun_like(last):  # an action: /kernels/{id}/restart
        action = _phrase(last).capitalize()
        if follows_parameter and parent is not None:
            summary = f"{action} {_article(singular(_phrase(parent)))}"
            return OperationNames(summary, _camel([last, singular(parent)]), tag)
        return OperationNames(action, _camel([last, *(singular(p) for p in parents)]), tag)
    plural = _phrase(last)
    if singular(last) == last and not _is_noun_like(last) or last.lower() in ("status", "info"):
        owner = f" of {_article(singular(_phrase(parent)))}" if follows_parameter and parent else ""
        parts = [verb.lower(), *(singular(p) for p in parents), last]
        return OperationNames(f"{verb} the {plural}{owner}", _camel(parts), tag)
    context = f" in {_article(singular(_phrase(parent)))}" if follows_parameter and parent else ""
    id_parts = [singular(p) for p in parents]
    if method == "GET":
        return OperationNames(f"List {plural}{context}", _camel(["list", *id_parts, last]), tag)
    if method == "POST":
        noun = singular(plural)
        summary = f"Create {_article(noun)}{context}"
        return OperationNames(summary, _camel(["create", *id_parts, singular(last)]), tag)
    summary = f"{verb} {plural}{context}"
    return OperationNames(summary, _camel([verb.lower(), *id_parts, last]), tag)


def _anonymous(
    method: str,
    verb: str,
    segments: tuple[str, ...],
    literals: list[tuple[int, str]],
    tag: str,
) -> OperationNames:
    """A path without a collection to name it: ``/``, ``/{param1}``, ``/x/{a}/{b}``."""
    if not segments or not literals and all(not s for s in segments):
        return OperationNames(f"{verb} the root", _camel([verb.lower(), "root"]), tag)
    match = PARAMETER.fullmatch(segments[-1])
    name = match.group(1) if match and match.group(1) else "id"
    parts = [verb.lower(), *(segment for _, segment in literals), "by", name]
    return OperationNames(f"{verb} a resource by {name}", _camel(parts), tag)


def _item(
    method: str,
    verb: str,
    collection: str,
    match: re.Match[str] | None,
    parents: list[str],
    tag: str,
) -> OperationNames:
    name = match.group(1) if match and match.group(1) else "id"
    noun = singular(_phrase(collection))
    if method == "POST":
        verb = _ITEM_POST
    summary = f"{verb} {_article(noun)} by {name}"
    parts = [verb.lower(), *(singular(p) for p in parents), singular(collection)]
    return OperationNames(summary, _camel(parts), tag)
