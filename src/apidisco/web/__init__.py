"""The documentation site: ``apidisco serve``.

A small ASGI application (Starlette, Jinja2 templates, served by uvicorn) that
shows documented endpoints in a browser: public ones to anyone at
``/docs/{slug}``, private ones to their owner once logged in. It is a front end
like the CLI: it calls :mod:`apidisco.services` and never the store.

- :mod:`apidisco.web.app`: :func:`create_app`, routes, error pages.
- :mod:`apidisco.web.context`: what every handler shares; rendering a page.
- :mod:`apidisco.web.pages`: the documentation pages and downloads.
- :mod:`apidisco.web.login`: logging in and out.
- :mod:`apidisco.web.security`: security headers, cookies, CSRF.
- :mod:`apidisco.web.markdown`: Markdown to HTML, raw HTML disabled.
- :mod:`apidisco.web.assets`: where the static files come from.
- :mod:`apidisco.web.server`: running the app under uvicorn.
"""
