"""``apidisco config show``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, json_of


def test_show_tells_each_value_and_its_source(
    apidisco: Invoke, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_RETENTION_DAYS", "30")
    result = apidisco("--json", "config", "show")
    assert result.exit_code == 0, result.stderr
    settings = json_of(result)["settings"]
    assert settings["data_retention_days"] == {"value": "30", "source": "env DATA_RETENTION_DAYS"}
    assert settings["database_url"]["source"] == "default"
    assert str(isolated_env / "apidisco.db") in settings["database_url"]["value"]
    assert settings["data_dir"]["source"] == "env APIDISCO_DATA_DIR"


def test_show_redacts_the_database_password(apidisco: Invoke) -> None:
    result = apidisco("--db", "postgresql://me:hunter22@db.internal/x", "config", "show")
    assert result.exit_code == 0
    assert "hunter22" not in result.stdout
    assert "me:***@db.internal" in result.stdout
    assert "flag --db" in result.stdout


def test_show_reads_the_config_file(apidisco: Invoke, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("database_pool_max = 33\n")
    result = apidisco("--json", "config", "show")
    setting = json_of(result)["settings"]["database_pool_max"]
    assert setting["value"] == "33"
    assert setting["source"].startswith("file ")


def test_show_never_shows_the_language_model_key(
    apidisco: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APIDISCO_LLM_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("APIDISCO_LLM_API_KEY", "sk-proj-hunter22")
    for args in [("config", "show"), ("--json", "config", "show")]:
        result = apidisco(*args)
        assert result.exit_code == 0, result.stderr
        assert "sk-proj-hunter22" not in result.stdout
    setting = json_of(result)["settings"]["llm_api_key"]
    assert setting == {"value": "***", "source": "env APIDISCO_LLM_API_KEY"}
