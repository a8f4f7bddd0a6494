"""Where the CLI keeps the session token between invocations.

The token lives in ``session.json`` beside the user config file, readable by
the user alone (mode 0600). ``APIDISCO_TOKEN`` overrides it, for CI scripts.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from apidisco.config import default_config_file
from apidisco.errors import ConfigError

__all__ = ["TOKEN_ENV", "TokenStore"]

TOKEN_ENV = "APIDISCO_TOKEN"


class TokenStore:
    def __init__(self, environ: Mapping[str, str], config_file: Path | None = None) -> None:
        self.environ = environ
        self.path = (config_file or default_config_file(environ)).parent / "session.json"

    def read(self) -> str | None:
        """The token to use: ``APIDISCO_TOKEN``, else the saved one, else None."""
        if self.environ.get(TOKEN_ENV):
            return self.environ[TOKEN_ENV]
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raise ConfigError(
                f"cannot read the saved session in {self.path}; delete it and log in again"
            ) from None
        token = data.get("token") if isinstance(data, dict) else None
        return token if isinstance(token, str) else None

    def save(self, token: str, email: str) -> Path:
        """Write the token so that only the user can read it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump({"token": token, "email": email}, handle)
        os.chmod(temporary, 0o600)
        temporary.replace(self.path)
        return self.path

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
