"""Every setting apidisco has, declared once.

A setting has a name, a type, a default, a line of help and the environment
variables that set it. Values are resolved only at entry points (the CLI, the
addon) and passed down, in this order of precedence::

    command-line flag  >  environment variable  >  user config file  >  default

The user config file is TOML (``key = value`` with the setting names below) at
``APIDISCO_CONFIG`` or ``<user config dir>/apidisco/config.toml``. Nothing here
runs at import time; :func:`resolve_settings` reads only what it is given.
``docs/configuration.md`` is checked against :data:`SETTINGS` by the tests.
"""

from __future__ import annotations

import dataclasses
import tomllib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from apidisco.errors import ConfigError
from apidisco.pricing import (
    DEFAULT_CREDIT_PACKS,
    CreditPacks,
    Tier,
    parse_credit_packs,
    parse_currency,
    parse_price,
)

__all__ = [
    "CONFIG_FILE_ENV",
    "SETTINGS",
    "Setting",
    "Settings",
    "default_config_file",
    "display_value",
    "redact_url",
    "resolve_settings",
]

CONFIG_FILE_ENV = "APIDISCO_CONFIG"
APP_NAME = "apidisco"


def _user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _user_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_config_file(environ: Mapping[str, str]) -> Path:
    """Where the user config file is read from."""
    override = environ.get(CONFIG_FILE_ENV)
    return Path(override) if override else _user_config_dir() / "config.toml"


@dataclass(frozen=True)
class Setting:
    """The declaration of one setting."""

    name: str
    type: type
    default: Callable[[], Any]
    help: str
    env: tuple[str, ...]
    flag: str | None = None
    secret: bool = False
    minimum: int | None = None
    maximum: int | None = None
    # Structured settings (prices, credit packs) bring their own parser.
    parser: Callable[[object, str], Any] | None = None

    def parse(self, raw: object, origin: str) -> Any:
        """Turn a raw value (a string from the environment, a TOML value) into this type."""
        if self.parser is not None:
            return self.parser(raw, origin)
        if self.type is bool:
            return _parse_bool(raw, origin)
        if self.type is int:
            value = _parse_int(raw, origin)
            if self.minimum is not None and value < self.minimum:
                raise ConfigError(f"{origin} must be at least {self.minimum}, got {value}")
            if self.maximum is not None and value > self.maximum:
                raise ConfigError(f"{origin} must be at most {self.maximum}, got {value}")
            return value
        if self.type is Path:
            if not isinstance(raw, str) or not raw:
                raise ConfigError(f"{origin} must be a path, got {raw!r}")
            return Path(raw).expanduser()
        if not isinstance(raw, str):
            raise ConfigError(f"{origin} must be a string, got {raw!r}")
        return raw


def _parse_bool(raw: object, origin: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{origin} must be true or false, got {raw!r}")


def _parse_int(raw: object, origin: str) -> int:
    if isinstance(raw, bool):
        raise ConfigError(f"{origin} must be a whole number, got {raw!r}")
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"{origin} must be a whole number, got {raw!r}") from None


SETTINGS: tuple[Setting, ...] = (
    Setting(
        name="database_url",
        type=str,
        default=lambda: None,
        help=(
            "SQLAlchemy URL of the store: sqlite:///path/to/file.db or "
            "postgresql://user:password@host:5432/dbname. Unset: the embedded SQLite "
            "file in data_dir, created and upgraded automatically."
        ),
        env=("APIDISCO_DATABASE_URL", "DATABASE_URL"),
        flag="--db",
        secret=True,
    ),
    Setting(
        name="database_pool_min",
        type=int,
        default=lambda: 5,
        help="Connections a PostgreSQL engine keeps open (SQLAlchemy pool_size).",
        env=("APIDISCO_DATABASE_POOL_MIN", "DATABASE_POOL_MIN"),
        minimum=1,
    ),
    Setting(
        name="database_pool_max",
        type=int,
        default=lambda: 15,
        help=(
            "Most connections a PostgreSQL engine opens at once; the ones above "
            "database_pool_min are closed when returned (SQLAlchemy max_overflow)."
        ),
        env=("APIDISCO_DATABASE_POOL_MAX", "DATABASE_POOL_MAX"),
        minimum=1,
    ),
    Setting(
        name="data_dir",
        type=Path,
        default=_user_data_dir,
        help="Where apidisco keeps its embedded SQLite store and local files.",
        env=("APIDISCO_DATA_DIR",),
    ),
    Setting(
        name="session_days",
        type=int,
        default=lambda: 30,
        help="How long a login session lasts before `apidisco account login` is needed again.",
        env=("APIDISCO_SESSION_DAYS",),
        minimum=1,
    ),
    Setting(
        name="password_rounds",
        type=int,
        default=lambda: 12,
        help="bcrypt cost factor for new password hashes (4 to 31; each step doubles the work).",
        env=("APIDISCO_PASSWORD_ROUNDS",),
        minimum=4,
        maximum=31,
    ),
    Setting(
        name="allow_private_destinations",
        type=bool,
        default=lambda: False,
        help=(
            "Allow endpoints, the proxy and replay to reach loopback, private and "
            "link-local addresses (for local development). Cloud metadata addresses "
            "are refused regardless."
        ),
        env=("APIDISCO_ALLOW_PRIVATE_DESTINATIONS",),
    ),
    Setting(
        name="endpoint_price",
        type=int,
        default=lambda: 25,
        help="Credits charged to create an endpoint beyond those the plan includes.",
        env=("APIDISCO_ENDPOINT_PRICE",),
        minimum=0,
    ),
    Setting(
        name="plan_free_endpoints",
        type=int,
        default=lambda: 0,
        help="Endpoints a FREE-tier account may have without paying credits.",
        env=("APIDISCO_PLAN_FREE_ENDPOINTS",),
        minimum=0,
    ),
    Setting(
        name="plan_pro_endpoints",
        type=int,
        default=lambda: 20,
        help="Endpoints a PRO-tier account may have without paying credits.",
        env=("APIDISCO_PLAN_PRO_ENDPOINTS",),
        minimum=0,
    ),
    Setting(
        name="plan_team_endpoints",
        type=int,
        default=lambda: 100,
        help="Endpoints a TEAM-tier account may have without paying credits.",
        env=("APIDISCO_PLAN_TEAM_ENDPOINTS",),
        minimum=0,
    ),
    Setting(
        name="capture_max_body",
        type=int,
        default=lambda: 1_048_576,
        help="Bodies longer than this many bytes are stored cut to it and flagged as truncated.",
        env=("APIDISCO_CAPTURE_MAX_BODY",),
        minimum=0,
    ),
    Setting(
        name="data_retention_days",
        type=int,
        default=lambda: 90,
        help="Endpoints older than this many days are removed by the cleanup job.",
        env=("APIDISCO_DATA_RETENTION_DAYS", "DATA_RETENTION_DAYS"),
        minimum=1,
    ),
    Setting(
        name="llm_url",
        type=str,
        default=lambda: "",
        help=(
            "Base URL of an OpenAI-compatible chat completions API (https://api.openai.com/v1, "
            "http://127.0.0.1:11434/v1) that writes operation descriptions. Empty: off; "
            "the deterministic summaries are used."
        ),
        env=("APIDISCO_LLM_URL",),
        secret=True,
    ),
    Setting(
        name="llm_model",
        type=str,
        default=lambda: "gpt-4o-mini",
        help="The model llm_url is asked for.",
        env=("APIDISCO_LLM_MODEL",),
    ),
    Setting(
        name="llm_api_key",
        type=str,
        default=lambda: None,
        help="API key sent to llm_url as a Bearer token. Unset: no Authorization header.",
        env=("APIDISCO_LLM_API_KEY",),
        secret=True,
    ),
    Setting(
        name="llm_timeout",
        type=int,
        default=lambda: 60,
        help="Seconds to wait for llm_url to connect and to answer one request.",
        env=("APIDISCO_LLM_TIMEOUT",),
        minimum=1,
    ),
    # -- payments and subscriptions (docs/payments.md) ------------------------------
    Setting(
        name="credit_packs",
        type=CreditPacks,
        default=lambda: DEFAULT_CREDIT_PACKS,
        help=(
            "Credit packs on sale: a JSON list (a TOML array of tables in the config file) "
            'of {"name", "credits", "price", "currency"}; prices as text, "19.99".'
        ),
        env=("APIDISCO_CREDIT_PACKS",),
        parser=parse_credit_packs,
    ),
    Setting(
        name="plan_currency",
        type=str,
        default=lambda: "USD",
        help="Currency of the subscription prices (ISO 4217).",
        env=("APIDISCO_PLAN_CURRENCY",),
        parser=parse_currency,
    ),
    Setting(
        name="plan_pro_price",
        type=Decimal,
        default=lambda: Decimal("19.00"),
        help="Monthly price of the PRO tier, in plan_currency.",
        env=("APIDISCO_PLAN_PRO_PRICE",),
        parser=parse_price,
    ),
    Setting(
        name="plan_team_price",
        type=Decimal,
        default=lambda: Decimal("99.00"),
        help="Monthly price of the TEAM tier, in plan_currency.",
        env=("APIDISCO_PLAN_TEAM_PRICE",),
        parser=parse_price,
    ),
    Setting(
        name="stripe_api_key",
        type=str,
        default=lambda: None,
        help="Stripe secret key (sk_test_... for the sandbox, sk_live_... for real payments).",
        env=("APIDISCO_STRIPE_API_KEY", "STRIPE_API_KEY"),
        secret=True,
    ),
    Setting(
        name="stripe_webhook_secret",
        type=str,
        default=lambda: None,
        help="Signing secret (whsec_...) of the Stripe webhook endpoint; verifies events.",
        env=("APIDISCO_STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET"),
        secret=True,
    ),
    Setting(
        name="stripe_api_base",
        type=str,
        default=lambda: "https://api.stripe.com",
        help="Base URL of the Stripe API.",
        env=("APIDISCO_STRIPE_API_BASE",),
    ),
    Setting(
        name="stripe_price_pro",
        type=str,
        default=lambda: "",
        help="Stripe price id (price_...) of the PRO subscription.",
        env=("APIDISCO_STRIPE_PRICE_PRO",),
    ),
    Setting(
        name="stripe_price_team",
        type=str,
        default=lambda: "",
        help="Stripe price id (price_...) of the TEAM subscription.",
        env=("APIDISCO_STRIPE_PRICE_TEAM",),
    ),
    Setting(
        name="paypal_client_id",
        type=str,
        default=lambda: None,
        help="PayPal REST app client id.",
        env=("APIDISCO_PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_ID"),
    ),
    Setting(
        name="paypal_client_secret",
        type=str,
        default=lambda: None,
        help="PayPal REST app secret.",
        env=("APIDISCO_PAYPAL_CLIENT_SECRET", "PAYPAL_CLIENT_SECRET"),
        secret=True,
    ),
    Setting(
        name="paypal_webhook_id",
        type=str,
        default=lambda: None,
        help="Id of the PayPal webhook; PayPal's verification API needs it.",
        env=("APIDISCO_PAYPAL_WEBHOOK_ID", "PAYPAL_WEBHOOK_ID"),
    ),
    Setting(
        name="paypal_live",
        type=bool,
        default=lambda: False,
        help="Use PayPal's live API and record payments as real; false: the sandbox.",
        env=("APIDISCO_PAYPAL_LIVE",),
    ),
    Setting(
        name="paypal_api_base",
        type=str,
        default=lambda: "",
        help=(
            "Base URL of the PayPal API. Empty: https://api-m.sandbox.paypal.com, or "
            "https://api-m.paypal.com with paypal_live."
        ),
        env=("APIDISCO_PAYPAL_API_BASE",),
    ),
    Setting(
        name="paypal_plan_pro",
        type=str,
        default=lambda: "",
        help="PayPal billing plan id (P-...) of the PRO subscription.",
        env=("APIDISCO_PAYPAL_PLAN_PRO",),
    ),
    Setting(
        name="paypal_plan_team",
        type=str,
        default=lambda: "",
        help="PayPal billing plan id (P-...) of the TEAM subscription.",
        env=("APIDISCO_PAYPAL_PLAN_TEAM",),
    ),
    Setting(
        name="webhook_tolerance",
        type=int,
        default=lambda: 300,
        help="Seconds a signed provider event may be old (or early) and still be accepted.",
        env=("APIDISCO_WEBHOOK_TOLERANCE",),
        minimum=1,
    ),
    Setting(
        name="checkout_success_url",
        type=str,
        default=lambda: "http://127.0.0.1:8765/checkout/done",
        help="Where the provider sends the buyer after paying (`payments listen` answers it).",
        env=("APIDISCO_CHECKOUT_SUCCESS_URL",),
    ),
    Setting(
        name="checkout_cancel_url",
        type=str,
        default=lambda: "http://127.0.0.1:8765/checkout/cancelled",
        help="Where the provider sends the buyer who cancels the checkout.",
        env=("APIDISCO_CHECKOUT_CANCEL_URL",),
    ),
    Setting(
        name="payments_timeout",
        type=int,
        default=lambda: 30,
        help="Seconds to wait for a payment provider's API to connect and to answer.",
        env=("APIDISCO_PAYMENTS_TIMEOUT",),
        minimum=1,
    ),
    # -- change notifications (docs/replay.md) ------------------------------------
    Setting(
        name="notify_webhook_url",
        type=str,
        default=lambda: "",
        help=(
            "URL that `apidisco monitor run` POSTs API changes to (JSON, signed with "
            "notify_webhook_secret). Empty: changes are announced on stdout only."
        ),
        env=("APIDISCO_NOTIFY_WEBHOOK_URL",),
        secret=True,
    ),
    Setting(
        name="notify_webhook_secret",
        type=str,
        default=lambda: None,
        help=(
            "Shared secret of the change webhook: each POST carries X-Apidisco-Signature, "
            "an HMAC-SHA256 of its timestamp and body under this secret."
        ),
        env=("APIDISCO_NOTIFY_WEBHOOK_SECRET",),
        secret=True,
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings, each with the place its value came from."""

    database_url: str | None
    database_pool_min: int
    database_pool_max: int
    data_dir: Path
    session_days: int
    password_rounds: int
    allow_private_destinations: bool
    endpoint_price: int
    plan_free_endpoints: int
    plan_pro_endpoints: int
    plan_team_endpoints: int
    capture_max_body: int
    data_retention_days: int
    llm_url: str
    llm_model: str
    llm_api_key: str | None
    llm_timeout: int
    credit_packs: CreditPacks
    plan_currency: str
    plan_pro_price: Decimal
    plan_team_price: Decimal
    stripe_api_key: str | None
    stripe_webhook_secret: str | None
    stripe_api_base: str
    stripe_price_pro: str
    stripe_price_team: str
    paypal_client_id: str | None
    paypal_client_secret: str | None
    paypal_webhook_id: str | None
    paypal_live: bool
    paypal_api_base: str
    paypal_plan_pro: str
    paypal_plan_team: str
    webhook_tolerance: int
    checkout_success_url: str
    checkout_cancel_url: str
    payments_timeout: int
    notify_webhook_url: str
    notify_webhook_secret: str | None
    sources: Mapping[str, str] = dataclasses.field(default_factory=dict, compare=False)
    config_file: Path | None = dataclasses.field(default=None, compare=False)

    @property
    def embedded_database_path(self) -> Path:
        """The SQLite file used when no database URL is configured."""
        return self.data_dir / "apidisco.db"

    def included_endpoints(self, tier: str | None) -> int:
        """Endpoints a subscription tier includes without charging credits."""
        return {
            "PRO": self.plan_pro_endpoints,
            "TEAM": self.plan_team_endpoints,
        }.get((tier or "FREE").upper(), self.plan_free_endpoints)

    def subscription_tiers(self) -> tuple[Tier, ...]:
        """FREE, PRO and TEAM: what each includes and costs, and the providers' ids for it."""
        return (
            Tier("FREE", self.plan_free_endpoints, Decimal("0.00"), self.plan_currency, "", ""),
            Tier(
                "PRO",
                self.plan_pro_endpoints,
                self.plan_pro_price,
                self.plan_currency,
                self.stripe_price_pro,
                self.paypal_plan_pro,
            ),
            Tier(
                "TEAM",
                self.plan_team_endpoints,
                self.plan_team_price,
                self.plan_currency,
                self.stripe_price_team,
                self.paypal_plan_team,
            ),
        )

    def source_of(self, name: str) -> str:
        return self.sources.get(name, "default")

    def items(self) -> list[tuple[Setting, Any, str]]:
        """Each declared setting with its value and source, in declaration order."""
        return [(s, getattr(self, s.name), self.source_of(s.name)) for s in SETTINGS]


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise ConfigError(
            f"config file {path} has unknown setting {unknown[0]!r}; "
            f"known settings: {', '.join(_BY_NAME)}"
        )
    return data


def resolve_settings(
    flags: Mapping[str, object | None] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Resolve every setting: flag > environment > config file > default.

    ``flags`` maps setting names to command-line values (``None`` means not
    given); ``environ`` is the environment to read (nothing is read from
    ``os.environ`` unless the caller passes it); ``config_file`` overrides the
    file location that ``environ`` implies.
    """
    flags = flags or {}
    environ = environ or {}
    unknown_flags = set(flags) - set(_BY_NAME)
    if unknown_flags:
        raise ValueError(f"unknown settings: {sorted(unknown_flags)}")
    path = config_file or default_config_file(environ)
    from_file = _read_config_file(path)

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        flag_value = flags.get(setting.name)
        env_name = next((name for name in setting.env if environ.get(name)), None)
        if flag_value is not None:
            origin = setting.flag or setting.name
            values[setting.name] = setting.parse(flag_value, origin)
            sources[setting.name] = f"flag {origin}"
        elif env_name is not None:
            values[setting.name] = setting.parse(environ[env_name], env_name)
            sources[setting.name] = f"env {env_name}"
        elif setting.name in from_file:
            values[setting.name] = setting.parse(from_file[setting.name], f"{path}: {setting.name}")
            sources[setting.name] = f"file {path}"
        else:
            values[setting.name] = setting.default()
            sources[setting.name] = "default"

    if values["database_pool_min"] > values["database_pool_max"]:
        raise ConfigError(
            f"database_pool_min ({values['database_pool_min']}) is larger than "
            f"database_pool_max ({values['database_pool_max']})"
        )
    return Settings(**values, sources=sources, config_file=path)


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def display_value(setting: Setting, value: Any, settings: Settings) -> str:
    """How a resolved value is shown to a person: secrets redacted, defaults explained.

    A secret URL keeps everything but its password; any other secret is shown
    only as ``***`` (or nothing, when it is not set).
    """
    if setting.name == "database_url" and value is None:
        return f"sqlite:///{settings.embedded_database_path} (embedded)"
    if value is None:
        return ""
    if setting.secret:
        text = str(value)
        if setting.name.endswith("_url"):
            return redact_url(text)
        return "***" if text else ""
    return str(value)
