"""Markdown for the site: captured text stays text, headings get the anchors the
document's own table of contents links to."""

from __future__ import annotations

import re

from apidisco.infer.markdown import render_markdown as write_markdown
from apidisco.web.markdown import github_slug, render_markdown


def test_raw_html_is_escaped() -> None:
    html = render_markdown('A <script>alert(1)</script> and <img src=x onerror="alert(2)">\n')
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_script_links_are_not_links() -> None:
    html = render_markdown("[click](javascript:alert(1)) [ok](https://example.com/a)\n")
    assert 'href="javascript' not in html
    assert '<a href="https://example.com/a">ok</a>' in html


def test_headings_get_githubs_anchors_numbered_when_repeated() -> None:
    html = render_markdown("# GET /users/{userId}\n\n## Example\n\n## Example\n\n## `code` head\n")
    assert '<h1 id="get-usersuserid">' in html
    assert '<h2 id="example">' in html
    assert '<h2 id="example-1">' in html
    assert '<h2 id="code-head">' in html
    assert github_slug("Response `200`: OK") == "response-200-ok"


def test_every_link_of_a_generated_table_of_contents_has_its_heading() -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/users/{id}": {
                "get": {"summary": "One user", "responses": {"200": {"description": "OK"}}},
                "delete": {"summary": "Remove", "responses": {"204": {"description": "Gone"}}},
            },
            "/users": {"get": {"summary": "All", "responses": {"200": {"description": "OK"}}}},
        },
    }
    html = str(render_markdown(write_markdown(spec)))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    anchors = set(re.findall(r' id="([^"]+)"', html))
    assert targets
    assert targets <= anchors, sorted(targets - anchors)
