"""Schemas in the Markdown API reference: field tables, header tables and short notes.

:func:`schema_table` lists the fields of an object schema (or of the objects an
array or map holds) as :func:`apidisco.infer.fields.schema_fields` finds them,
at most :data:`MAX_FIELDS` rows, each with its one-line type, whether it is
required and its notes. :func:`schema_notes` says what a schema says beyond its
type, short: its description, ``deprecated``/``read-only``/``write-only``, its
default, bounds, pattern and up to three examples; :func:`holder_notes` does
the same for a parameter or header, its own fields over its schema's.
:func:`header_table` lists a response's headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apidisco.infer.fields import Field, literal, named_type, schema_fields
from apidisco.infer.markdown_document import Document, as_list, as_mapping
from apidisco.infer.markdown_text import code_span, one_line, plural, table

__all__ = [
    "MAX_FIELDS",
    "header_table",
    "holder_notes",
    "join_notes",
    "schema_notes",
    "schema_table",
]

MAX_FIELDS = 60
_FLAGS = (("deprecated", "deprecated"), ("readOnly", "read-only"), ("writeOnly", "write-only"))


def schema_notes(schema: Mapping[str, Any]) -> list[str]:
    """What a field's schema says beyond its type, short."""
    notes = [one_line(schema["description"])] if schema.get("description") else []
    notes += [label for flag, label in _FLAGS if schema.get(flag) is True]
    if "default" in schema:
        notes.append(f"default {code_span(literal(schema['default']))}")
    for key, label in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
    ):
        if isinstance(schema.get(key), int | float) and not isinstance(schema[key], bool):
            notes.append(f"{label} {schema[key]}")
    if schema.get("pattern"):
        notes.append(f"pattern {code_span(schema['pattern'])}")
    examples = as_list(schema.get("examples")) or (
        [schema["example"]] if "example" in schema else []
    )
    if examples:
        notes.append("e.g. " + ", ".join(code_span(literal(value)) for value in examples[:3]))
    return notes


def join_notes(notes: list[str]) -> str:
    """Notes in one cell: ``; `` between them, a space after one that ends a sentence."""
    text = ""
    for note in notes:
        text += (" " if text.endswith((".", "!", "?")) else "; ") + note if text else note
    return text


def _field_notes(field: Field) -> list[str]:
    notes = ["any other key"] if field.path.rsplit(".", 1)[-1] == "*" else []
    notes += schema_notes(field.schema)
    if field.recursive:
        notes.append(f"recursive: {code_span(field.recursive)}")
    if field.hidden:
        notes.append("nested fields not shown")
    return notes


def holder_notes(document: Document, schema: Any, holder: Mapping[str, Any]) -> list[str]:
    """A parameter's or header's notes: its own fields over its schema's."""
    own = {k: v for k, v in holder.items() if k not in ("examples", "schema", "content")}
    notes = schema_notes({**document.resolved(schema), **own})
    named = [document.resolved(e).get("value") for e in as_mapping(holder.get("examples")).values()]
    if named and not any(note.startswith("e.g. ") for note in notes):
        notes.append("e.g. " + ", ".join(code_span(literal(value)) for value in named[:3]))
    return notes


def header_table(document: Document, headers: Mapping[str, Mapping[str, Any]]) -> str:
    """A table of response headers: name, type, whether required, notes."""
    rows = [
        (
            code_span(name),
            code_span(named_type(header.get("schema"), document.spec)),
            "yes" if header.get("required") else "no",
            join_notes(holder_notes(document, header.get("schema"), header)),
        )
        for name, header in headers.items()
    ]
    return table(("Header", "Type", "Required", "Description"), rows)


def schema_table(document: Document, schema: Any) -> list[str]:
    """The field table of a schema and a note on the fields left out; none when
    it has no fields."""
    fields = schema_fields(schema, document.spec)
    if not fields:
        return []
    rows = [
        (
            code_span(f.path),
            code_span(f.type),
            "yes" if f.required else "no",
            join_notes(_field_notes(f)),
        )
        for f in fields[:MAX_FIELDS]
    ]
    blocks = [table(("Field", "Type", "Required", "Notes"), rows)]
    if len(fields) > MAX_FIELDS:
        blocks.append(f"*{plural(len(fields) - MAX_FIELDS, 'more field')} not shown.*")
    return blocks
