"""Settings: declared once, resolved flag > env > file > default, with their sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from apidisco.config import SETTINGS, Settings, display_value, redact_url, resolve_settings
from apidisco.errors import ConfigError


@pytest.fixture
def no_file(tmp_path: Path) -> Path:
    return tmp_path / "absent.toml"


def test_defaults_when_nothing_is_given(no_file: Path) -> None:
    settings = resolve_settings(environ={"APIDISCO_DATA_DIR": "/data"}, config_file=no_file)
    assert settings.database_url is None
    assert settings.data_retention_days == 90
    assert (settings.database_pool_min, settings.database_pool_max) == (5, 15)
    assert settings.embedded_database_path == Path("/data/apidisco.db")
    assert settings.source_of("data_retention_days") == "default"


def test_flag_beats_env_beats_file_beats_default(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text('database_url = "sqlite:///file.db"\ndata_retention_days = 30\n')
    environ = {"DATABASE_URL": "sqlite:///env.db", "DATA_RETENTION_DAYS": "45"}

    from_file = resolve_settings(config_file=file)
    assert from_file.database_url == "sqlite:///file.db"
    assert from_file.source_of("database_url") == f"file {file}"

    from_env = resolve_settings(environ=environ, config_file=file)
    assert (from_env.database_url, from_env.data_retention_days) == ("sqlite:///env.db", 45)
    assert from_env.source_of("database_url") == "env DATABASE_URL"

    from_flag = resolve_settings({"database_url": "sqlite:///flag.db"}, environ, file)
    assert from_flag.database_url == "sqlite:///flag.db"
    assert from_flag.source_of("database_url") == "flag --db"
    assert from_flag.data_retention_days == 45


def test_the_apidisco_variable_wins_over_the_generic_one(no_file: Path) -> None:
    environ = {"DATABASE_URL": "sqlite:///generic.db", "APIDISCO_DATABASE_URL": "sqlite:///own.db"}
    settings = resolve_settings(environ=environ, config_file=no_file)
    assert settings.database_url == "sqlite:///own.db"
    assert settings.source_of("database_url") == "env APIDISCO_DATABASE_URL"


def test_the_config_file_location_comes_from_the_environment(tmp_path: Path) -> None:
    file = tmp_path / "elsewhere.toml"
    file.write_text("database_pool_max = 40\n")
    settings = resolve_settings(environ={"APIDISCO_CONFIG": str(file)})
    assert settings.database_pool_max == 40
    assert settings.config_file == file


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DATA_RETENTION_DAYS": "ninety"}, "DATA_RETENTION_DAYS must be a whole number"),
        ({"DATA_RETENTION_DAYS": "0"}, "must be at least 1"),
        ({"DATABASE_POOL_MIN": "9", "DATABASE_POOL_MAX": "3"}, "is larger than"),
    ],
)
def test_bad_values_are_config_errors(environ: dict[str, str], message: str, no_file: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_settings(environ=environ, config_file=no_file)


def test_a_broken_config_file_is_a_config_error(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text("database_url = \n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        resolve_settings(config_file=file)
    file.write_text("databse_url = 'sqlite:///x.db'\n")
    with pytest.raises(ConfigError, match="unknown setting 'databse_url'"):
        resolve_settings(config_file=file)
    file.write_text("data_retention_days = true\n")
    with pytest.raises(ConfigError, match="must be a whole number"):
        resolve_settings(config_file=file)


def test_every_declared_setting_is_a_field_of_settings() -> None:
    fields = set(Settings.__dataclass_fields__) - {"sources", "config_file"}
    assert {setting.name for setting in SETTINGS} == fields
    for setting in SETTINGS:
        assert setting.help, setting.name
        assert setting.env, setting.name


def test_secrets_are_redacted_for_display(no_file: Path) -> None:
    assert redact_url("postgresql://me:pw@db:5432/x") == "postgresql://me:***@db:5432/x"
    assert redact_url("sqlite:///x.db") == "sqlite:///x.db"
    settings = resolve_settings({"database_url": "postgresql://me:pw@db/x"}, config_file=no_file)
    setting = SETTINGS[0]
    assert "pw" not in display_value(setting, settings.database_url, settings)


def test_the_language_model_is_off_by_default(no_file: Path) -> None:
    settings = resolve_settings(config_file=no_file)
    assert settings.llm_url == ""
    assert (settings.llm_model, settings.llm_api_key, settings.llm_timeout) == (
        "gpt-4o-mini",
        None,
        60,
    )


def test_the_language_model_settings_come_from_their_variables(no_file: Path) -> None:
    environ = {
        "APIDISCO_LLM_URL": "http://127.0.0.1:11434/v1",
        "APIDISCO_LLM_MODEL": "llama3.1",
        "APIDISCO_LLM_API_KEY": "sk-live-123",
        "APIDISCO_LLM_TIMEOUT": "5",
    }
    settings = resolve_settings(environ=environ, config_file=no_file)
    assert settings.llm_url == "http://127.0.0.1:11434/v1"
    assert (settings.llm_model, settings.llm_api_key, settings.llm_timeout) == (
        "llama3.1",
        "sk-live-123",
        5,
    )
    assert settings.source_of("llm_api_key") == "env APIDISCO_LLM_API_KEY"


def test_the_language_model_key_is_never_displayed(no_file: Path) -> None:
    flags = {"llm_url": "https://me:pw@llm.internal/v1", "llm_api_key": "sk-live-123"}
    settings = resolve_settings(flags, config_file=no_file)
    shown = {
        setting.name: display_value(setting, value, settings)
        for setting, value, _ in settings.items()
    }
    assert shown["llm_api_key"] == "***"
    assert shown["llm_url"] == "https://me:***@llm.internal/v1"
    assert "sk-live-123" not in "".join(shown.values())
    unset = resolve_settings(config_file=no_file)
    key = next(setting for setting in SETTINGS if setting.name == "llm_api_key")
    assert display_value(key, unset.llm_api_key, unset) == ""
