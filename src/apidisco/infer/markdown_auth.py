"""Authentication in the Markdown API reference.

:func:`write_authentication` writes the *Authentication* section: how many
operations require authentication, accept it or do without, then one section
per security scheme saying what to send and where (HTTP Bearer or Basic, an API
key, OAuth 2.0 flows, OpenID Connect, mutual TLS) and which operations require
or accept it. :func:`requirement_text` is an operation's own line:
``required — <scheme> or <scheme> (scopes …)``, ``optional — …`` or ``none``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apidisco.infer.markdown_document import Document, Operation, as_list, as_mapping
from apidisco.infer.markdown_text import code_span, one_line, plain, plural

__all__ = ["requirement", "requirement_text", "write_authentication"]


def _pair(item: tuple[Any, Any]) -> tuple[str, Mapping[str, Any]]:
    return str(item[0]), as_mapping(item[1])


def requirement(document: Document, operation: Operation) -> tuple[str, list[Mapping[str, Any]]]:
    """``required``, ``optional`` or ``none``, and the alternatives that satisfy it."""
    security = operation.operation.get("security", document.spec.get("security"))
    requirements = [as_mapping(r) for r in as_list(security)]
    alternatives = [r for r in requirements if r]
    if not alternatives:
        return "none", []
    return ("optional" if len(alternatives) < len(requirements) else "required"), alternatives


def write_authentication(document: Document) -> None:
    """The *Authentication* section, with a section per security scheme."""
    document.heading(2, "Authentication", "authentication")
    needs: dict[str, dict[str, list[Operation]]] = {}
    counts = {"required": 0, "optional": 0, "none": 0}
    for operation in document.operations:
        level, alternatives = requirement(document, operation)
        counts[level] += 1
        for name in dict.fromkeys(name for r in alternatives for name in r):
            needs.setdefault(name, {}).setdefault(level, []).append(operation)
    if not document.schemes and not needs:
        document.blocks.append("No operation declares a security requirement.")
        return
    labels = {"required": "Required by", "optional": "Optional for", "none": "Not needed by"}
    document.blocks.append(
        "\n".join(
            f"- **{labels[level]}:** {plural(count, 'operation')}"
            for level, count in counts.items()
            if count
        )
    )
    for name, scheme in document.schemes.items():
        document.heading(3, name, ("scheme", name))
        resolved = document.resolved(scheme)
        document.blocks.append(scheme_text(resolved))
        document.prose(resolved.get("description"))
        uses = needs.get(name, {})
        lines = [
            f"- **{label}:** " + ", ".join(document.operation_link(o) for o in uses[level])
            for level, label in (("required", "Required by"), ("optional", "Optional for"))
            if uses.get(level)
        ]
        document.blocks.append("\n".join(lines) or "No operation uses it.")


def scheme_text(scheme: Mapping[str, Any]) -> str:
    """What a security scheme asks a client to send, and where."""
    kind = scheme.get("type")
    if kind == "http":
        name = one_line(scheme.get("scheme")).lower()
        if name == "bearer":
            text = "HTTP Bearer authentication: send `Authorization: Bearer <token>`."
            if scheme.get("bearerFormat"):
                text += f" The token is a {plain(scheme['bearerFormat'])}."
            return text
        if name == "basic":
            return (
                "HTTP Basic authentication: send `Authorization: Basic <base64 of user:password>`."
            )
        return f"HTTP {code_span(name)} authentication, in the `Authorization` header."
    if kind == "apiKey":
        where = {"header": "header", "query": "query parameter", "cookie": "cookie"}
        place = where.get(one_line(scheme.get("in")), plain(scheme.get("in")))
        return f"An API key in the {code_span(scheme.get('name', ''))} {place}."
    if kind == "oauth2":
        lines = []
        for name, flow in map(_pair, as_mapping(scheme.get("flows")).items()):
            details = [
                f"{label} {code_span(flow[key])}"
                for key, label in (
                    ("authorizationUrl", "authorize at"),
                    ("tokenUrl", "token at"),
                )
                if flow.get(key)
            ]
            if flow.get("scopes"):
                details.append("scopes " + ", ".join(map(code_span, as_mapping(flow["scopes"]))))
            lines.append(f"- {code_span(name)}" + (": " + "; ".join(details) if details else ""))
        if not lines:
            return "OAuth 2.0."
        return "OAuth 2.0, with these flows:\n\n" + "\n".join(lines)
    if kind == "openIdConnect":
        return f"OpenID Connect, discovered at {code_span(scheme.get('openIdConnectUrl', ''))}."
    if kind == "mutualTLS":
        return "Mutual TLS: the client presents a certificate."
    return f"A {code_span(kind or 'custom')} security scheme."


def requirement_text(document: Document, operation: Operation) -> str:
    """An operation's authentication: its level and the schemes (with scopes) that
    satisfy it, linked to their sections."""
    level, alternatives = requirement(document, operation)
    if level == "none":
        return "none"
    options = []
    for alternative in alternatives:
        parts = []
        for name, scopes in alternative.items():
            scoped = ", ".join(code_span(scope) for scope in as_list(scopes))
            parts.append(document.scheme_link(name) + (f" (scopes {scoped})" if scoped else ""))
        options.append(" and ".join(parts))
    return f"{level} — " + " or ".join(options)
