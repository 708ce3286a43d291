"""Configuration is declared once, layered, and refuses what it does not know."""

from __future__ import annotations

import pytest

from advocacy.config import ConfigError, load_config

KEY = "yDlHkq4uVmgKxJo9dN1xy3x4wZ3q8lX0o3o4v1k2y8g="


def test_defaults_with_a_secret(tmp_path):
    config = load_config(tmp_path, {"SECRET_KEY": "s", "TOKEN_KEYS": KEY}, environ={})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'advocacy.sqlite'}"
    assert config["SESSION_COOKIE_SECURE"] is True  # production unless told otherwise


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="ADVOCACY_SECRET_KEY is not set"):
        load_config(tmp_path, environ={})


@pytest.mark.parametrize("flag", ["ADVOCACY_DEMO", "ADVOCACY_DEBUG"])
def test_demo_and_debug_generate_and_keep_a_local_key(tmp_path, flag):
    first = load_config(tmp_path, environ={flag: "1"})
    second = load_config(tmp_path, environ={flag: "true"})
    assert len(first["SECRET_KEY"]) >= 40
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first["SESSION_COOKIE_SECURE"] is False


def test_environment_values_are_typed(tmp_path):
    config = load_config(tmp_path, environ={
        "ADVOCACY_SECRET_KEY": "k", "ADVOCACY_TOKEN_KEYS": KEY, "ADVOCACY_MAIL_PORT": "2525",
        "ADVOCACY_MAIL_STARTTLS": "yes",
        "ADVOCACY_DATABASE_URL": "postgresql://db/advocacy"})
    assert config["MAIL_PORT"] == 2525
    assert config["MAIL_STARTTLS"] is True
    assert config["DATABASE_URL"] == "postgresql://db/advocacy"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("ADVOCACY_MAIL_PORT", "twenty", "whole number"),
    ("ADVOCACY_MAIL_STARTTLS", "perhaps", "true or false"),
    ("ADVOCACY_DATABSE_URL", "x", "unknown configuration keys in the environment: DATABSE_URL"),
])
def test_bad_environment_is_refused(tmp_path, name, value, message):
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, environ={"ADVOCACY_SECRET_KEY": "k", "ADVOCACY_TOKEN_KEYS": KEY,
                                       name: value})


def test_instance_file_then_environment_then_overrides(tmp_path):
    (tmp_path / "advocacy.cfg").write_text(f'SECRET_KEY = "from-file"\nTOKEN_KEYS = "{KEY}"\n'
                                           'MAIL_PORT = 2500\n'
                                           'MAIL_SERVER = "file.example"\n')
    config = load_config(tmp_path, {"MAIL_SERVER": "override.example"},
                         environ={"ADVOCACY_MAIL_PORT": "2600"})
    assert config["SECRET_KEY"] == "from-file"
    assert config["MAIL_PORT"] == 2600
    assert config["MAIL_SERVER"] == "override.example"


def test_unknown_key_in_instance_file_is_refused(tmp_path):
    (tmp_path / "advocacy.cfg").write_text('SECRET_KEY = "k"\nMAIL_SEVRER = "typo"\n')
    with pytest.raises(ConfigError, match="MAIL_SEVRER"):
        load_config(tmp_path, environ={})


def test_unknown_override_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="NOPE"):
        load_config(tmp_path, {"SECRET_KEY": "k", "TOKEN_KEYS": KEY, "NOPE": 1}, environ={})


def test_app_factory_refuses_to_start_without_secret(monkeypatch):
    from advocacy import create_app

    for key in ("ADVOCACY_SECRET_KEY", "ADVOCACY_DEMO", "ADVOCACY_DEBUG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ADVOCACY_DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigError):
        create_app()


@pytest.mark.parametrize("fresh_database_url", ["postgresql"], indirect=True)
def test_postgresql_connections_run_without_jit_and_keep_url_options(fresh_database_url):
    from advocacy.db import make_engine

    engine = make_engine(fresh_database_url)
    with engine.connect() as connection:
        jit = connection.exec_driver_sql("SHOW jit").scalar()
        path = connection.exec_driver_sql("SHOW search_path").scalar()
    engine.dispose()
    assert jit == "off"
    assert path.startswith("t_")  # the test schema named in the URL's own options


def test_production_refuses_to_start_without_token_keys(tmp_path):
    with pytest.raises(ConfigError, match="ADVOCACY_TOKEN_KEYS is not set"):
        load_config(tmp_path, environ={"ADVOCACY_SECRET_KEY": "k"})


def test_malformed_token_keys_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="must be Fernet keys"):
        load_config(tmp_path, environ={"ADVOCACY_SECRET_KEY": "k",
                                       "ADVOCACY_TOKEN_KEYS": "not-a-key"})


def test_demo_generates_a_token_key_once(tmp_path):
    first = load_config(tmp_path, environ={"ADVOCACY_DEMO": "1"})
    second = load_config(tmp_path, environ={"ADVOCACY_DEMO": "1"})
    assert first["TOKEN_KEYS"] == second["TOKEN_KEYS"]
    assert (tmp_path / "token_key").stat().st_mode & 0o777 == 0o600
