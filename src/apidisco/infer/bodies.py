"""The schema of the bodies of one media type, for one request or response position.

A :class:`BodyModel` folds the bodies an operation sent (or got back with one
status) under one media type, and describes them as they are:

- **JSON** (any body that parsed, whatever its label): the merged JSON Schema.
- **form-urlencoded**: an object of the fields, typed as query parameters are
  (:mod:`apidisco.infer.parameters`).
- **multipart/form-data**: an object of the parts; file parts are strings with
  the part's ``contentMediaType``.
- **XML**: a string with ``contentMediaType``; a SOAP envelope is recognised and
  its operation (the first element in the ``Body``) named in the description.
- **HTML and other text**: a string with ``contentMediaType``; short examples.
- **binary** (stored base64, or a non-text media type): a string with the
  ``contentMediaType``; never decoded as text.

Bodies that capture truncated cannot be parsed; they are counted, and a model
that saw nothing else says so in its description.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

from apidisco.infer.observation import Body
from apidisco.infer.parameters import as_parameter_schema, pairs_document
from apidisco.infer.schema import SchemaBuilder

__all__ = ["BodyModel", "body_kind"]

_XML_TYPES = frozenset({"application/xml", "text/xml", "application/soap+xml"})
_SOAP_NAMESPACES = (
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://www.w3.org/2003/05/soap-envelope",
)
_TEXT_EXAMPLE = 200
_PENDING = 32  # distinct JSON bodies held back before they are folded in
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_LOCAL_NAME = re.compile(r"^(?:\{[^}]*\})?(.*)$")


def body_kind(media: str, body: Body) -> str:
    """json, form, multipart, xml, html, text or binary."""
    if body.document is not None:
        return "json"
    if body.encoding == "base64":
        return "binary"
    if media == "application/x-www-form-urlencoded":
        return "form"
    if media.startswith("multipart/"):
        return "multipart"
    if media in _XML_TYPES or media.endswith("+xml"):
        return "xml"
    if media in ("text/html", "application/xhtml+xml"):
        return "html"
    if media.startswith("text/") or media == "" or media.endswith("+json") or "json" in media:
        return "text"
    return "binary"


def _multipart_fields(text: str, content_type: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The text fields and the file fields (name → media type) of a multipart body."""
    if not _BOUNDARY.search(content_type):
        return {}, {}
    # The email package (~7 ms to import) is loaded with the first multipart body.
    import email.parser
    import email.policy

    raw = f"Content-Type: {content_type}\r\n\r\n".encode() + text.encode("utf-8", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    fields: dict[str, Any] = {}
    files: dict[str, str] = {}
    if not message.is_multipart():
        return {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        if part.get_filename() is not None:
            files[name] = part.get_content_type()
            continue
        payload = part.get_payload(decode=True)
        value = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        fields.update(pairs_document([(name, value)]))
    return fields, files


def _soap_operation(text: str) -> str | None:
    """The first element in a SOAP envelope's Body (``GetUser``), if it is one."""
    import xml.etree.ElementTree as ElementTree  # for XML bodies only

    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - stored text, parsed without entities
    except ElementTree.ParseError:
        return None
    namespace, _, local = root.tag.lstrip("{").partition("}")
    if local != "Envelope" or namespace not in _SOAP_NAMESPACES:
        return None
    body = root.find(f"{{{namespace}}}Body")
    if body is None or len(body) == 0:
        return ""
    match = _LOCAL_NAME.match(body[0].tag)
    return match.group(1) if match else None


class BodyModel:
    """Everything seen under one media type at one position; bounded memory."""

    def __init__(self, media: str, *, secret_fields: Iterable[str] | None = None) -> None:
        self.media = media
        self.samples = 0
        self.truncated = 0
        self.kinds: set[str] = set()
        self._secret_fields = secret_fields
        self._json = self._builder()
        self._fields = self._builder()
        self._files: dict[str, str] = {}
        self._soap: set[str] = set()
        self._text_example: str | None = None
        self._pending: dict[str, list[Any]] = {}

    def _builder(self) -> SchemaBuilder:
        if self._secret_fields is None:
            return SchemaBuilder()
        return SchemaBuilder(secret_fields=self._secret_fields)

    def add(self, body: Body, content_type: str = "") -> None:
        self.samples += 1
        if body.truncated:
            self.truncated += 1
            return
        kind = body_kind(self.media, body)
        self.kinds.add(kind)
        text = body.text or ""
        if kind == "json":
            self._add_json(body)
        elif kind == "form":
            self._fields.add(pairs_document(_form_pairs(text)))
        elif kind == "multipart":
            fields, files = _multipart_fields(text, content_type)
            self._fields.add(fields | dict.fromkeys(files, ""))
            for name, media in files.items():
                self._files.setdefault(name, media)
        elif kind == "xml":
            operation = _soap_operation(text)
            if operation is not None and len(self._soap) < 16:
                self._soap.add(operation)
        elif kind in ("text", "html"):
            example = text[:_TEXT_EXAMPLE]
            if self._text_example is None or (len(example), example) < (
                len(self._text_example),
                self._text_example,
            ):
                self._text_example = example

    def _add_json(self, body: Body) -> None:
        """Identical bodies (by text) are folded in once, weighted by their count."""
        key = body.text or ""
        entry = self._pending.get(key)
        if entry is not None:
            entry[1] += 1
            return
        if len(self._pending) >= _PENDING:
            self._flush()
        self._pending[key] = [body.document, 1]

    def _flush(self) -> None:
        for document, weight in self._pending.values():
            self._json.add(document, weight=weight)
        self._pending = {}

    @property
    def soap(self) -> bool:
        return bool(self._soap)

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of these bodies (``{}`` when nothing could be read)."""
        self._flush()
        kinds = self.kinds
        if not kinds:
            if self.truncated:
                return {"description": "Bodies were larger than the capture limit; not parsed."}
            return {}
        if kinds == {"json"}:
            return self._json.build()
        if kinds <= {"form", "multipart"}:
            return self._form_schema()
        media = self.media or "application/octet-stream"
        schema: dict[str, Any] = {"type": "string", "contentMediaType": media}
        if "xml" in kinds and self._soap:
            names = ", ".join(sorted(name for name in self._soap if name))
            schema["description"] = f"SOAP envelope ({names})" if names else "SOAP envelope"
        elif kinds <= {"text", "html"} and self._text_example is not None:
            schema["examples"] = [self._text_example]
        return schema

    def _form_schema(self) -> dict[str, Any]:
        built = self._fields.build()
        properties = {
            name: as_parameter_schema(field) for name, field in built.get("properties", {}).items()
        }
        for name, media in self._files.items():
            properties[name] = {"type": "string", "contentMediaType": media}
        schema: dict[str, Any] = {"type": "object", "properties": dict(sorted(properties.items()))}
        if built.get("required"):
            schema["required"] = built["required"]
        return schema


def _form_pairs(text: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(text, keep_blank_values=True)
