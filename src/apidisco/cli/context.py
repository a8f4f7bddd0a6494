"""What one invocation of ``apidisco`` carries from the root options to a command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from apidisco.cli.credentials import TokenStore
from apidisco.cli.lazy import lazy_module
from apidisco.cli.output import Output
from apidisco.config import Settings, resolve_settings
from apidisco.services.actor import Actor

if TYPE_CHECKING:
    from apidisco.services import database, sessions
    from apidisco.services.database import Database
else:
    database = lazy_module("apidisco.services.database")
    sessions = lazy_module("apidisco.services.sessions")

__all__ = ["AppContext", "app_context"]


@dataclass
class AppContext:
    """Global options, resolved lazily: a command that needs no database opens none."""

    flags: dict[str, object | None]
    environ: Mapping[str, str]
    output: Output
    config_file: Path | None = None
    _settings: Settings | None = field(default=None, init=False)
    _database: Database | None = field(default=None, init=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = resolve_settings(self.flags, self.environ, self.config_file)
        return self._settings

    def database(self, *, require_head: bool = True) -> Database:
        """The configured store, opened once per invocation."""
        if self._database is None:
            self._database = database.connect(self.settings, require_head=require_head)
        return self._database

    @property
    def tokens(self) -> TokenStore:
        return TokenStore(self.environ, self.config_file)

    def actor(self) -> Actor:
        """The logged-in user; :class:`AuthenticationError` when there is none."""
        return sessions.authenticate(self.database(), self.tokens.read())

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None


def app_context(ctx: typer.Context) -> AppContext:
    """The :class:`AppContext` the root callback stored."""
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext), "the root callback did not run"
    return obj
