"""Builders shared by the inference tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson

from apidisco.infer.analysis import Analysis
from apidisco.infer.model import ApiModel
from apidisco.infer.observation import Body, Observation


def json_body(document: Any) -> Body:
    """A JSON body as capture stores it: the text and the parsed document."""
    return Body(orjson.dumps(document).decode(), document)


def analyse(observations: list[Observation], **options: Any) -> ApiModel:
    """The API model an :class:`Analysis` (with ``options``) infers from the traffic:
    paths first, then every exchange, as the inference service runs it."""
    analysis = Analysis(**options)
    for observation in observations:
        analysis.observe_path(observation)
    analysis.finish_paths()
    for observation in observations:
        analysis.observe(observation)
    return analysis.model()


LOCAL_TSC = (
    Path(__file__).resolve().parents[2] / ".cache" / "node" / "node_modules" / ".bin" / "tsc"
)


def find_tsc() -> str | None:
    """TypeScript's compiler: the project's own (``.cache/node``), else one on PATH;
    None without Node."""
    if shutil.which("node") is None:
        return None
    if LOCAL_TSC.exists():
        return str(LOCAL_TSC)
    return shutil.which("tsc")
