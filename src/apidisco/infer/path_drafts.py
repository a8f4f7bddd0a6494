"""Path templates under construction: segments, parameters' names and types, drafts.

While the trie is resolved each template is a :class:`Draft`: a tuple of
:class:`Segment` values, each a literal or a parameter, with the methods,
response shapes and successful methods of the calls below it.
:func:`build_parameter` turns the values and shapes merged at a position into a
:class:`~apidisco.infer.path_model.PathParameter` (its JSON Schema type from
:func:`schema_of`), and :func:`parameter_name` names it from the segments
before it (see :mod:`apidisco.infer.paths` for the naming rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from apidisco.infer.path_model import Evidence, PathParameter, PathTemplate
from apidisco.infer.segments import SegmentKind, SegmentShape, parameter_base
from apidisco.infer.templates import escape
from apidisco.infer.trie import Limits, value_key

__all__ = [
    "Draft",
    "Segment",
    "build_parameter",
    "parameter_name",
    "render_segments",
    "schema_of",
]


def schema_of(shapes: Iterable[SegmentShape]) -> tuple[str, str | None]:
    """The JSON Schema type and format the shapes seen at a position join into."""
    shapes = set(shapes)
    if shapes and all(shape.json_type == "integer" for shape in shapes):
        return "integer", None
    formats = {shape.json_format for shape in shapes}
    return "string", formats.pop() if len(formats) == 1 else None


_NAMED_KINDS = {
    SegmentKind.DATE: "date",
    SegmentKind.DATETIME: "timestamp",
    SegmentKind.EMAIL: "email",
}


def build_parameter(
    name: str,
    position: int,
    values: Iterable[str],
    shapes: Iterable[SegmentShape],
    *,
    collapsed: bool,
    evidence: Iterable[Evidence],
    limits: Limits,
) -> PathParameter:
    """The parameter holding ``values``, typed by their ``shapes``."""
    distinct = sorted(set(values), key=value_key)
    shapes = set(shapes)
    json_type, json_format = schema_of(shapes)
    return PathParameter(
        name=name,
        position=position,
        type=json_type,
        format=json_format,
        kinds=tuple(sorted({shape.kind.value for shape in shapes})),
        examples=tuple(distinct[: limits.max_examples]),
        distinct=len(distinct),
        collapsed=collapsed,
        evidence=tuple(sorted(evidence)),
    )


@dataclass(frozen=True)
class Segment:
    """One segment of a draft: a literal, or a parameter."""

    text: str  # the literal, or the parameter's name
    parameter: PathParameter | None = None
    evidence: tuple[Evidence, ...] = ()

    def render(self) -> str:
        return "{" + self.text + "}" if self.parameter is not None else escape(self.text)


def render_segments(segments: Sequence[Segment]) -> str:
    """The template text of ``segments`` (``/users/{userId}``)."""
    return "/" + "/".join(segment.render() for segment in segments)


def parameter_name(prefix: Sequence[Segment], shapes: set[SegmentShape]) -> str:
    """The name of a parameter after ``prefix`` holding ``shapes``, unique in the template."""
    used = {segment.text for segment in prefix if segment.parameter is not None}
    kinds = {shape.kind for shape in shapes}
    base: str | None = _NAMED_KINDS.get(kinds.pop()) if len(kinds) == 1 else None
    if base is None and prefix and prefix[-1].parameter is None:
        base = parameter_base(prefix[-1].text)
    if base is None:
        base = f"param{len(used) + 1}"
    name, number = base, 2
    while name in used:
        name, number = f"{base}{number}", number + 1
    return name


@dataclass(frozen=True)
class Draft:
    """A template being resolved, with what the calls under it showed."""

    segments: tuple[Segment, ...]
    methods: tuple[tuple[str, int], ...]
    shapes: tuple[tuple[str, tuple[str, ...]], ...]
    proven: frozenset[str] = frozenset()  # methods some call used successfully

    def rest(self, depth: int) -> tuple[str, ...]:
        """The template after ``depth``, parameters as ``{}``."""
        return tuple("{}" if s.parameter else s.text for s in self.segments[depth + 1 :])

    def with_segment(self, depth: int, segment: Segment) -> Draft:
        segments = self.segments[:depth] + (segment,) + self.segments[depth + 1 :]
        return Draft(segments, self.methods, self.shapes, self.proven)

    def template(self) -> PathTemplate:
        parameters = tuple(s.parameter for s in self.segments if s.parameter is not None)
        evidence = [item for s in self.segments for item in s.evidence]
        evidence += [item for parameter in parameters for item in parameter.evidence]
        return PathTemplate(
            template=render_segments(self.segments),
            methods=tuple(method for method, _ in self.methods),
            calls=sum(calls for _, calls in self.methods),
            parameters=parameters,
            evidence=tuple(sorted(evidence)),
        )
