"""Every exception apidisco raises on purpose.

One root, a shallow tree, one exit code per family::

    ApidiscoError                     exit 1  (root; never raised bare)
    ├── ConfigError                   exit 2  bad setting, bad database URL
    ├── ValidationError               exit 2  bad input from a user or a file
    ├── NotFoundError                 exit 3  no such row (or not yours: same error)
    ├── PermissionDeniedError         exit 4  the acting user may not do this
    ├── AuthenticationError           exit 11 not logged in, wrong password, session ended
    ├── InsufficientCreditsError      exit 5  the balance does not cover the charge
    ├── InvalidTransitionError        exit 6  endpoint lifecycle refuses the move
    ├── StoreError                    exit 7  database unreachable, rejected a write
    │   └── SchemaNotAtHeadError      exit 8  migrations pending: run `apidisco db upgrade`
    ├── CaptureImportError            exit 9  a HAR or flow file could not be imported
    ├── ExportError                   exit 10 a document could not be produced
    ├── DescriptionError              exit 12 the language model for descriptions failed
    ├── PaymentError                  exit 13 a payment provider failed or refused the request
    │   └── WebhookRefusedError       exit 14 a provider event was refused (signature, amount ...)
    └── IntrospectionError            exit 15 a GraphQL server did not give its schema

Programmer mistakes raise built-ins. Each boundary translates once: the CLI
prints ``Error: <message>`` and exits with ``exit_code``; the mitmproxy addon
turns configuration errors into ``OptionsError`` and never lets a storage
failure stop the proxy. Odd traffic is data, not an error.
"""

from __future__ import annotations

__all__ = [
    "ApidiscoError",
    "AuthenticationError",
    "CaptureImportError",
    "ConfigError",
    "DescriptionError",
    "ExportError",
    "InsufficientCreditsError",
    "IntrospectionError",
    "InvalidTransitionError",
    "NotFoundError",
    "PaymentError",
    "PermissionDeniedError",
    "SchemaNotAtHeadError",
    "StoreError",
    "ValidationError",
    "WebhookRefusedError",
]


class ApidiscoError(Exception):
    """Root of every error apidisco raises on purpose.

    ``message`` is one readable line, fit to print after ``Error:``.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class ConfigError(ApidiscoError):
    """A setting, flag or URL that cannot be used as given."""

    exit_code = 2


class ValidationError(ApidiscoError):
    """Input that breaks a validation rule (email, username, URL, status code ...)."""

    exit_code = 2


class NotFoundError(ApidiscoError):
    """No such object, or one the acting user may not see (the two look alike on purpose)."""

    exit_code = 3


class PermissionDeniedError(ApidiscoError):
    """The acting user is known but may not do this."""

    exit_code = 4


class AuthenticationError(ApidiscoError):
    """No valid login: wrong credentials, an ended or expired session, a disabled account."""

    exit_code = 11


class InsufficientCreditsError(ApidiscoError):
    """A charge larger than the balance; nothing was changed."""

    exit_code = 5


class InvalidTransitionError(ApidiscoError):
    """An endpoint status change the lifecycle does not allow; nothing was changed."""

    exit_code = 6


class StoreError(ApidiscoError):
    """The database could not be reached or refused the work."""

    exit_code = 7


class SchemaNotAtHeadError(StoreError):
    """The database schema is behind (or ahead of) this version of apidisco."""

    exit_code = 8


class CaptureImportError(ApidiscoError):
    """A capture file (HAR, mitmproxy flows) that cannot be imported; the store is unchanged."""

    exit_code = 9


class ExportError(ApidiscoError):
    """A document that could not be produced or would not be valid."""

    exit_code = 10


class DescriptionError(ApidiscoError):
    """The chat completions API behind ``llm_url`` failed: unreachable, slow, or unreadable."""

    exit_code = 12


class PaymentError(ApidiscoError):
    """A payment provider could not be reached, or refused or failed a request."""

    exit_code = 13


class WebhookRefusedError(PaymentError):
    """A provider event that is not accepted (bad or stale signature, replayed delivery,
    unknown payment, wrong amount or currency); nothing was changed."""

    exit_code = 14


class IntrospectionError(ApidiscoError):
    """A live GraphQL server did not give its schema: unreachable, slow, a redirect,
    introspection disabled, or an answer that is not a schema."""

    exit_code = 15
