"""What credits and subscriptions cost: credit packs and subscription tiers.

Both are configuration (``docs/payments.md``, ``docs/configuration.md``):

- a **credit pack** is a number of credits sold for a price in one currency
  (``credit_packs``: a JSON list in the environment, a TOML array of tables in
  the config file);
- a **subscription tier** (FREE, PRO, TEAM) includes a number of endpoints
  (``plan_*_endpoints``), costs a monthly price (``plan_*_price``) and is known
  to the providers by a price id (Stripe) or plan id (PayPal), which is how a
  provider's subscription event is mapped back to a tier.

Prices are :class:`~decimal.Decimal` with at most two places; never floats.
This module imports only the standard library and :mod:`apidisco.errors`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from apidisco.errors import ConfigError, NotFoundError

__all__ = [
    "DEFAULT_CREDIT_PACKS",
    "TIERS",
    "CreditPack",
    "CreditPacks",
    "Tier",
    "from_minor_units",
    "minor_units",
    "parse_credit_packs",
    "parse_currency",
    "parse_price",
]

TIERS = ("FREE", "PRO", "TEAM")
PACK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
CURRENCY = re.compile(r"[A-Z]{3}")
# ISO 4217 currencies without a minor unit, as Stripe lists them; all others have two places.
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV"}
    | {"XAF", "XOF", "XPF"}
)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class CreditPack:
    """``credits`` credits sold for ``price`` in ``currency``."""

    name: str
    credits: int
    price: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.name}: {self.credits} credits for {self.price} {self.currency}"


@dataclass(frozen=True)
class CreditPacks:
    """The packs on sale, in the order they were configured."""

    packs: tuple[CreditPack, ...]

    def __iter__(self) -> Iterator[CreditPack]:
        return iter(self.packs)

    def __len__(self) -> int:
        return len(self.packs)

    def __str__(self) -> str:
        return "; ".join(str(pack) for pack in self.packs)

    def find(self, name: str) -> CreditPack:
        """The pack called ``name`` (case-insensitive)."""
        wanted = name.strip().lower()
        for pack in self.packs:
            if pack.name == wanted:
                return pack
        known = ", ".join(pack.name for pack in self.packs)
        raise NotFoundError(f"no credit pack {name!r}; the packs are {known}")


@dataclass(frozen=True)
class Tier:
    """A subscription tier: what it includes, what it costs, how the providers name it."""

    name: str
    endpoints: int
    price: Decimal
    currency: str
    stripe_price: str
    paypal_plan: str


DEFAULT_CREDIT_PACKS = CreditPacks(
    (
        CreditPack("starter", 100, Decimal("5.00"), "USD"),
        CreditPack("standard", 500, Decimal("20.00"), "USD"),
        CreditPack("bulk", 2000, Decimal("60.00"), "USD"),
    )
)


def minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` in the currency's smallest unit, as Stripe counts it (5.00 USD → 500)."""
    exponent = 0 if currency.upper() in ZERO_DECIMAL else 2
    return int((amount * (10**exponent)).to_integral_value())


def from_minor_units(amount: int, currency: str) -> Decimal:
    """The inverse of :func:`minor_units` (500 USD cents → 5.00)."""
    if currency.upper() in ZERO_DECIMAL:
        return Decimal(amount)
    return (Decimal(amount) / 100).quantize(_CENT)


def parse_price(raw: object, origin: str) -> Decimal:
    """A positive price with at most two decimal places, from text or a number."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ConfigError(f'{origin} must be a price such as "19.00", got {raw!r}')
    try:
        price = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ConfigError(f'{origin} must be a price such as "19.00", got {raw!r}') from None
    if not price.is_finite() or price < 0:
        raise ConfigError(f"{origin} must be a price of zero or more, got {raw!r}")
    if price != price.quantize(_CENT):
        raise ConfigError(f"{origin} has more than two decimal places: {raw!r}")
    return price.quantize(_CENT)


def parse_currency(raw: object, origin: str) -> str:
    """A three-letter ISO 4217 code, upper case."""
    text = raw.strip().upper() if isinstance(raw, str) else ""
    if not CURRENCY.fullmatch(text):
        raise ConfigError(f"{origin} must be a three-letter currency code such as USD, got {raw!r}")
    return text


def parse_credit_packs(raw: object, origin: str) -> CreditPacks:
    """Credit packs from a JSON text (environment) or a list of tables (TOML).

    Each pack has ``name`` (lowercase letters, digits, ``-``, ``_``), a positive
    whole number of ``credits``, a ``price`` above zero with at most two decimal
    places (write it as text, ``"19.99"``) and a ``currency`` (default USD).
    """
    if isinstance(raw, CreditPacks):
        return raw
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ConfigError(f"{origin} must be a JSON list of packs: {exc}") from None
    if not isinstance(raw, list) or not raw:
        raise ConfigError(
            f"{origin} must be a non-empty list of packs "
            '({"name": ..., "credits": ..., "price": "...", "currency": "USD"})'
        )
    packs: list[CreditPack] = []
    for index, item in enumerate(raw):
        where = f"{origin}[{index}]"
        packs.append(_pack(item, where))
    names = [pack.name for pack in packs]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate is not None:
        raise ConfigError(f"{origin} names the pack {duplicate!r} twice")
    return CreditPacks(tuple(packs))


def _pack(item: object, where: str) -> CreditPack:
    if not isinstance(item, Mapping):
        raise ConfigError(f"{where} must be a table with name, credits, price and currency")
    unknown = sorted(set(item) - {"name", "credits", "price", "currency"})
    if unknown:
        raise ConfigError(f"{where} has an unknown key {unknown[0]!r}")
    name = item.get("name")
    if not isinstance(name, str) or not PACK_NAME.fullmatch(name):
        raise ConfigError(
            f"{where}.name must be 1 to 32 lowercase letters, digits, - or _, got {name!r}"
        )
    credits = item.get("credits")
    if isinstance(credits, bool) or not isinstance(credits, int) or credits <= 0:
        raise ConfigError(f"{where}.credits must be a whole number above zero, got {credits!r}")
    price = parse_price(item.get("price"), f"{where}.price")
    if price <= 0:
        raise ConfigError(f"{where}.price must be above zero, got {item.get('price')!r}")
    currency = parse_currency(item.get("currency", "USD"), f"{where}.currency")
    return CreditPack(name=name, credits=credits, price=price, currency=currency)
