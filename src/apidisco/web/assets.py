"""Where the site's static files come from: its own, and Swagger UI's.

Swagger UI is served from the files of the ``flask-swagger-ui`` package (its
``dist`` folder: the Swagger UI 5 release the package is named after), so the
interactive reference works with no internet. Only the files are used; Flask
is never imported (the folder is found without importing the package).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["STATIC", "TEMPLATES", "swagger_ui_dist"]

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
SWAGGER_UI_PACKAGE = "flask_swagger_ui"


def swagger_ui_dist() -> Path:
    """The folder holding ``swagger-ui-bundle.js`` and ``swagger-ui.css``."""
    spec = importlib.util.find_spec(SWAGGER_UI_PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    for location in locations:
        dist = Path(location) / "dist"
        if (dist / "swagger-ui-bundle.js").is_file():
            return dist
    raise RuntimeError(
        f"Swagger UI's files were not found: install the {SWAGGER_UI_PACKAGE!r} package"
    )
