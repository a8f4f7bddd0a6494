"""What path templating returns: templates, their parameters, and the evidence behind them.

:class:`~apidisco.infer.paths.PathTemplater` finishes into a :class:`PathModel`:
one :class:`PathTemplate` per template, each with its typed and named
:class:`PathParameter` values and the :class:`Evidence` (rule and message, at a
segment position) behind every decision. :meth:`PathModel.explain` renders that
evidence one line per item, and :meth:`PathModel.template_for` maps a concrete
path back to its template.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from apidisco.infer.templates import PathMatcher, template_segments

__all__ = ["Evidence", "PathModel", "PathParameter", "PathTemplate"]


@dataclass(frozen=True, order=True)
class Evidence:
    """One reason behind a decision, at a segment ``position`` (0-based; -1: the template)."""

    position: int
    rule: str  # shape identity cardinality structure merge pin forbid word version collection empty
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class PathParameter:
    """A path parameter: its name, position, JSON Schema type and examples."""

    name: str
    position: int
    type: str
    format: str | None
    kinds: tuple[str, ...]
    examples: tuple[str, ...]
    distinct: int
    collapsed: bool  # more values were seen than counted: ``distinct`` is a lower bound
    evidence: tuple[Evidence, ...]

    def schema(self) -> dict[str, str]:
        """The parameter's JSON Schema (``{"type": "string", "format": "uuid"}``)."""
        if self.format is None:
            return {"type": self.type}
        return {"type": self.type, "format": self.format}


@dataclass(frozen=True)
class PathTemplate:
    """One path template, with the methods and calls seen under it."""

    template: str
    methods: tuple[str, ...]
    calls: int
    parameters: tuple[PathParameter, ...]
    evidence: tuple[Evidence, ...]
    pinned: bool = False


@dataclass(frozen=True)
class PathModel:
    """What :meth:`~apidisco.infer.paths.PathTemplater.finish` returns; templates by their text."""

    templates: tuple[PathTemplate, ...]
    unused_pins: tuple[str, ...] = ()

    @cached_property
    def matcher(self) -> PathMatcher:
        """A :class:`PathMatcher` over these templates (built once)."""
        return PathMatcher(self.templates)

    def template_for(self, path: str) -> str | None:
        """The template a concrete path belongs to, or ``None``."""
        return self.matcher.match(path)

    def explain(self) -> tuple[str, ...]:
        """One line per piece of evidence: ``<template> [<segment>] <rule>: <message>``."""
        lines: list[str] = []
        for template in self.templates:
            rendered = template_segments(template.template)
            for item in template.evidence:
                label = rendered[item.position] if 0 <= item.position < len(rendered) else "*"
                lines.append(f"{template.template} [{label}] {item}")
        return tuple(lines)
