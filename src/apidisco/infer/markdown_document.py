"""One Markdown API reference being written: the OpenAPI document, its blocks and anchors.

:class:`Document` holds what every section of :func:`apidisco.infer.markdown.render_markdown`
writes to: the OpenAPI document (as plain data), the Markdown blocks written so
far, the heading anchors (:class:`apidisco.infer.markdown_text.Anchors`), the
operations in path and method order (:class:`Operation`) and the security
schemes. :func:`as_mapping` and :func:`as_list` read a value of the document
that may not have the shape OpenAPI says.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from apidisco.infer.fields import resolve
from apidisco.infer.markdown_text import Anchors, code_span, plain

__all__ = ["Document", "Operation", "as_list", "as_mapping"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def as_mapping(value: Any) -> Mapping[str, Any]:
    """The value when it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """The value when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class Operation:
    """One operation of the document, with the path item it belongs to."""

    path: str
    method: str
    item: Mapping[str, Any]
    operation: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        """The key of its heading's anchor."""
        return ("operation", self.path, self.method)

    @property
    def title(self) -> str:
        """``GET /users``."""
        return f"{self.method.upper()} {self.path}"


def _operations(spec: Mapping[str, Any]) -> list[Operation]:
    paths = as_mapping(spec.get("paths"))
    return [
        Operation(str(path), method, as_mapping(paths[path]), paths[path][method])
        for path in sorted(paths, key=str)
        for method in _METHODS
        if isinstance(as_mapping(paths[path]).get(method), Mapping)
    ]


class Document:
    """The reference being written from ``spec``: blocks are joined by a blank line."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.anchors = Anchors()
        self.blocks: list[str] = []
        self.operations = _operations(spec)
        self.schemes = as_mapping(as_mapping(spec.get("components")).get("securitySchemes"))

    def resolved(self, node: Any) -> Mapping[str, Any]:
        """The node with its local ``$ref`` followed (an empty mapping if it is none)."""
        return as_mapping(resolve(self.spec, node))

    def heading(self, level: int, text: str, key: Hashable | None = None) -> None:
        """A heading of plain text; ``key`` names its anchor for links."""
        self.anchors.add(text, key)
        self.blocks.append(f"{'#' * level} {plain(text)}")

    def prose(self, markdown: Any) -> None:
        """A description (CommonMark) as it is, when there is one."""
        if isinstance(markdown, str) and markdown.strip():
            text = "\n".join(line.rstrip() for line in markdown.strip("\n").splitlines())
            self.anchors.add_headings_in(text)
            self.blocks.append(text)

    def operation_link(self, operation: Operation) -> str:
        """A link to an operation's section."""
        return self.anchors.link(plain(operation.title), operation.key)

    def scheme_link(self, name: str) -> str:
        """A link to a security scheme's section; its name alone when not declared."""
        if name in self.schemes:
            return self.anchors.link(code_span(name), ("scheme", name))
        return code_span(name)

    def text(self) -> str:
        """The blocks as the final text: links resolved, no trailing spaces, one
        newline at the end."""
        text = self.anchors.resolve("\n\n".join(block for block in self.blocks if block))
        return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"
