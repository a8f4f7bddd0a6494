"""Bodies described as they are, per media type."""

from __future__ import annotations

import pytest

from apidisco.infer.bodies import BodyModel, body_kind
from apidisco.infer.observation import Body
from tests.infer.support import json_body

SOAP = (
    '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    '<soap:Body><GetUser xmlns="urn:x"><Id>1</Id></GetUser></soap:Body></soap:Envelope>'
)


@pytest.mark.parametrize(
    ("media", "body", "kind"),
    [
        ("application/json", Body("{}", {}), "json"),
        ("text/plain", Body('{"a":1}', {"a": 1}), "json"),  # parsed, whatever its label
        ("image/png", Body("iVBO", encoding="base64"), "binary"),
        ("application/x-www-form-urlencoded", Body("a=1"), "form"),
        ("multipart/form-data", Body("--x"), "multipart"),
        ("text/xml", Body(SOAP), "xml"),
        ("application/atom+xml", Body("<feed/>"), "xml"),
        ("text/html", Body("<h1>oops</h1>"), "html"),
        ("text/csv", Body("a,b"), "text"),
        ("application/pdf", Body("%PDF"), "binary"),
    ],
)
def test_kinds(media: str, body: Body, kind: str) -> None:
    assert body_kind(media, body) == kind


def test_json_bodies_merge() -> None:
    model = BodyModel("application/json")
    model.add(json_body({"id": 1, "note": None}))
    model.add(json_body({"id": 2, "note": "hi"}))
    schema = model.schema()
    assert schema["properties"]["note"]["type"] == ["null", "string"]
    assert schema["required"] == ["id", "note"]


def test_form_fields_are_typed_and_secrets_masked() -> None:
    model = BodyModel("application/x-www-form-urlencoded")
    model.add(Body("user=ann&age=31&password=%E2%80%B9masked%3A0123abcd%E2%80%BA"))
    model.add(Body("user=bob&age=40&password=%E2%80%B9masked%3A99999999%E2%80%BA&remember=true"))
    schema = model.schema()
    assert schema["properties"]["age"]["type"] == "integer"
    assert schema["properties"]["remember"]["type"] == "boolean"
    assert schema["required"] == ["age", "password", "user"]
    assert all(e.startswith("‹masked:") for e in schema["properties"]["password"]["examples"])


def test_multipart_fields_and_files() -> None:
    text = (
        '--b1\r\nContent-Disposition: form-data; name="title"\r\n\r\nHoliday\r\n'
        '--b1\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n....\r\n--b1--\r\n"
    )
    model = BodyModel("multipart/form-data")
    model.add(Body(text), "multipart/form-data; boundary=b1")
    schema = model.schema()
    assert schema["properties"]["title"]["type"] == "string"
    assert schema["properties"]["photo"] == {"type": "string", "contentMediaType": "image/jpeg"}
    assert schema["required"] == ["photo", "title"]


def test_soap_envelopes_are_recognised_and_named() -> None:
    model = BodyModel("text/xml")
    model.add(Body(SOAP))
    assert model.soap
    assert model.schema() == {
        "type": "string",
        "contentMediaType": "text/xml",
        "description": "SOAP envelope (GetUser)",
    }
    plain = BodyModel("application/xml")
    plain.add(Body("<note><to>x</to></note>"))
    plain.add(Body("<broken"))
    assert not plain.soap
    assert plain.schema() == {"type": "string", "contentMediaType": "application/xml"}


def test_html_error_pages_are_strings_with_a_short_example() -> None:
    model = BodyModel("text/html")
    model.add(Body("<html><body>" + "x" * 500 + "</body></html>"))
    model.add(Body("<h1>Not Found</h1>"))
    schema = model.schema()
    assert schema["contentMediaType"] == "text/html"
    assert schema["examples"] == ["<h1>Not Found</h1>"]


def test_binary_is_never_text_and_truncated_bodies_are_noted() -> None:
    binary = BodyModel("image/png")
    binary.add(Body("iVBORw0KGgo=", encoding="base64"))
    assert binary.schema() == {"type": "string", "contentMediaType": "image/png"}
    cut = BodyModel("application/json")
    cut.add(Body('{"a": [1, 2', truncated=True))
    assert cut.truncated == 1
    assert "capture limit" in cut.schema()["description"]
    cut.add(json_body({"a": [1]}))
    assert cut.schema()["properties"]["a"]["items"]["type"] == "integer"


def test_identical_bodies_fold_in_once_with_their_count() -> None:
    folded = BodyModel("application/json")
    for n in range(100):
        folded.add(json_body({"status": "ok" if n % 2 else "done", "n": n % 3}))
    schema = folded.schema()
    assert folded.samples == 100
    assert schema["properties"]["status"]["enum"] == ["done", "ok"]
    assert schema["properties"]["n"]["examples"] == [0, 1, 2]
