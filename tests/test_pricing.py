"""Credit packs and subscription tiers in the configuration."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from apidisco.config import SETTINGS, display_value, resolve_settings
from apidisco.errors import ConfigError, NotFoundError
from apidisco.pricing import (
    DEFAULT_CREDIT_PACKS,
    CreditPack,
    from_minor_units,
    minor_units,
    parse_credit_packs,
)


@pytest.fixture
def no_file(tmp_path: Path) -> Path:
    return tmp_path / "missing.toml"


def test_the_defaults_sell_three_packs_and_three_tiers(no_file: Path) -> None:
    settings = resolve_settings(config_file=no_file)
    assert settings.credit_packs == DEFAULT_CREDIT_PACKS
    assert settings.credit_packs.find("Starter") == CreditPack(
        "starter", 100, Decimal("5.00"), "USD"
    )
    tiers = {tier.name: tier for tier in settings.subscription_tiers()}
    assert (tiers["FREE"].endpoints, tiers["FREE"].price) == (0, Decimal("0.00"))
    assert (tiers["PRO"].endpoints, tiers["PRO"].price) == (20, Decimal("19.00"))
    assert (tiers["TEAM"].endpoints, tiers["TEAM"].price) == (100, Decimal("99.00"))


def test_packs_come_from_json_in_the_environment(no_file: Path) -> None:
    raw = '[{"name": "tiny", "credits": 10, "price": "0.99", "currency": "eur"}]'
    settings = resolve_settings(environ={"APIDISCO_CREDIT_PACKS": raw}, config_file=no_file)
    assert list(settings.credit_packs) == [CreditPack("tiny", 10, Decimal("0.99"), "EUR")]
    setting = next(s for s in SETTINGS if s.name == "credit_packs")
    assert (
        display_value(setting, settings.credit_packs, settings) == "tiny: 10 credits for 0.99 EUR"
    )


def test_packs_and_prices_come_from_the_config_file(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text(
        'plan_pro_price = "25.50"\nplan_currency = "gbp"\n'
        '[[credit_packs]]\nname = "a"\ncredits = 1\nprice = "1.00"\n'
        '[[credit_packs]]\nname = "b"\ncredits = 2\nprice = 2\ncurrency = "GBP"\n'
    )
    settings = resolve_settings(config_file=file)
    assert [(p.name, p.price, p.currency) for p in settings.credit_packs] == [
        ("a", Decimal("1.00"), "USD"),
        ("b", Decimal("2.00"), "GBP"),
    ]
    assert (settings.plan_pro_price, settings.plan_currency) == (Decimal("25.50"), "GBP")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "must be a JSON list of packs"),
        ("[]", "non-empty list"),
        ('[{"name": "A", "credits": 1, "price": "1"}]', "name must be"),
        ('[{"name": "a", "credits": 0, "price": "1"}]', "credits must be a whole number above"),
        ('[{"name": "a", "credits": true, "price": "1"}]', "credits must be"),
        ('[{"name": "a", "credits": 1, "price": "0"}]', "price must be above zero"),
        ('[{"name": "a", "credits": 1, "price": "1.001"}]', "more than two decimal places"),
        ('[{"name": "a", "credits": 1, "price": "cheap"}]', "must be a price"),
        ('[{"name": "a", "credits": 1, "price": "1", "currency": "DOLLARS"}]', "currency code"),
        ('[{"name": "a", "credits": 1, "price": "1", "colour": "red"}]', "unknown key 'colour'"),
        (
            '[{"name": "a", "credits": 1, "price": "1"}, '
            '{"name": "a", "credits": 2, "price": "2"}]',
            "names the pack 'a' twice",
        ),
    ],
)
def test_bad_packs_are_a_config_error(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_credit_packs(raw, "APIDISCO_CREDIT_PACKS")


def test_a_bad_plan_price_is_a_config_error(no_file: Path) -> None:
    with pytest.raises(ConfigError, match="APIDISCO_PLAN_TEAM_PRICE must be a price"):
        resolve_settings(environ={"APIDISCO_PLAN_TEAM_PRICE": "lots"}, config_file=no_file)


def test_an_unknown_pack_names_the_packs() -> None:
    with pytest.raises(NotFoundError, match="the packs are starter, standard, bulk"):
        DEFAULT_CREDIT_PACKS.find("mega")


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [(Decimal("5.00"), "USD", 500), (Decimal("19.99"), "eur", 1999), (Decimal("500"), "JPY", 500)],
)
def test_minor_units_round_trip(amount: Decimal, currency: str, minor: int) -> None:
    assert minor_units(amount, currency) == minor
    assert from_minor_units(minor, currency) == amount
