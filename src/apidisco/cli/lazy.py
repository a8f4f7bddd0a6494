"""Services loaded when a command first uses them, not when the CLI starts.

Every command is registered when ``apidisco`` starts, so a module-level import
of the services would load the whole database layer (SQLAlchemy, SQLModel,
Alembic: most of a second and ~60 MB) even for ``apidisco --version`` or
``apidisco discover``, which use no database. Each CLI module names the
services it uses with :func:`lazy_module` instead, behind a ``TYPE_CHECKING``
import for the type checker.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["lazy_module"]


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, executed on its first attribute access."""
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
