"""apidisco: discover and document HTTP APIs from real traffic.

The command line (``apidisco``) is a thin shell over :mod:`apidisco.services`;
the pure inference engine is :mod:`apidisco.infer`. Importing this package is
cheap: no database, proxy or CLI library is loaded until it is used.
"""

from __future__ import annotations

from apidisco.errors import (
    ApidiscoError,
    AuthenticationError,
    CaptureImportError,
    ConfigError,
    DescriptionError,
    ExportError,
    InsufficientCreditsError,
    IntrospectionError,
    InvalidTransitionError,
    NotFoundError,
    PaymentError,
    PermissionDeniedError,
    SchemaNotAtHeadError,
    StoreError,
    ValidationError,
    WebhookRefusedError,
)

__version__ = "0.1.0"

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
    "__version__",
]
