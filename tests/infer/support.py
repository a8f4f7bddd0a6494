"""Builders shared by the inference tests."""

from __future__ import annotations

from typing import Any

import orjson

from apidisco.infer.observation import Body


def json_body(document: Any) -> Body:
    """A JSON body as capture stores it: the text and the parsed document."""
    return Body(orjson.dumps(document).decode(), document)
