"""Markdown to HTML for the site, with captured content kept as text.

Documents are CommonMark plus tables (as :mod:`apidisco.infer.markdown` writes
them). Raw HTML is disabled, so a ``<script>`` in a captured example or
description is escaped like any other text; links are checked by
markdown-it's ``validateLink`` (no ``javascript:``, ``vbscript:``, ``file:`` or
``data:`` other than images). Headings get GitHub's anchors, the ones the
document's own table of contents links to.
"""

from __future__ import annotations

import functools
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markupsafe import Markup

__all__ = ["github_slug", "render_markdown"]


def github_slug(text: str) -> str:
    """GitHub's anchor for a heading with this text (the rule of
    :mod:`apidisco.infer.markdown`: lower case, punctuation dropped, spaces as hyphens)."""
    kept = "".join(ch for ch in text.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def _heading_text(token: Any) -> str:
    return "".join(child.content for child in token.children or () if child.content)


def _anchor_headings(state: StateCore) -> None:
    seen: dict[str, int] = {}
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        base = slug = github_slug(_heading_text(tokens[index + 1]))
        while slug in seen:
            seen[base] += 1
            slug = f"{base}-{seen[base]}"
        seen[slug] = 0
        token.attrSet("id", slug)


@functools.cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table")
    parser.core.ruler.push("apidisco_anchors", _anchor_headings)
    return parser


def render_markdown(text: str) -> Markup:
    """``text`` as HTML that is safe to put in a page."""
    return Markup(_parser().render(text))
