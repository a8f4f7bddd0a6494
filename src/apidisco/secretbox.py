"""The key that protects secrets kept for replay: ``APIDISCO_SECRET_KEY``.

Capture keeps the originals of masked secrets, and ``apidisco replay record``
keeps ``--header`` values, encrypted with Fernet (AES-128-CBC with an
HMAC-SHA256 tag, from ``cryptography``) under this key, in
``action_sequences.authTokens``. Without the key nothing can be decrypted, so
nothing is replayed. Make a key with::

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"

Only the entry points read the environment; they pass it here.
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken

from apidisco.errors import ConfigError

__all__ = ["SECRET_KEY_ENV", "SecretBox", "open_box", "require_box"]

SECRET_KEY_ENV = "APIDISCO_SECRET_KEY"
_MAKE_ONE = (
    'make one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class SecretBox:
    """Encrypts and decrypts single values with the configured key."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise ConfigError(
                f"{SECRET_KEY_ENV} is not a Fernet key (32 url-safe base64-encoded bytes); "
                + _MAKE_ONE
            ) from None

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str, what: str = "a kept secret") -> str:
        """The plain text of ``token``; ConfigError when this key did not encrypt it."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except (InvalidToken, ValueError):
            raise ConfigError(
                f"{what} cannot be decrypted with this {SECRET_KEY_ENV}: it was kept "
                "under another key (record again, or use the key it was recorded with)"
            ) from None


def open_box(environ: Mapping[str, str]) -> SecretBox | None:
    """The box for ``APIDISCO_SECRET_KEY``, or None when it is not set."""
    key = environ.get(SECRET_KEY_ENV, "").strip()
    return SecretBox(key) if key else None


def require_box(environ: Mapping[str, str], purpose: str) -> SecretBox:
    """The box, or a ConfigError saying ``purpose`` needs the key."""
    box = open_box(environ)
    if box is None:
        raise ConfigError(f"{SECRET_KEY_ENV} is not set: {purpose} needs it; " + _MAKE_ONE)
    return box
