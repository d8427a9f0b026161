"""Settings: defaults < config.toml < PINBOARD_* environment < explicit overrides."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pinboard.config import ConfigError, Settings, load_settings


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config.toml of the checkout, and no PINBOARD_* variable of the shell, leaks in."""
    monkeypatch.chdir(tmp_path)


def write_config(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(config_file: Path | None = None, **environ: str) -> Settings:
    return load_settings(config_file, environ=environ)


# ---- defaults and precedence ---------------------------------------------------------------


def test_defaults_without_file_or_environment() -> None:
    settings = load()
    assert settings == Settings()
    assert settings.host == "127.0.0.1"
    assert settings.port == 5000
    assert settings.async_mode == "eventlet"
    assert settings.cors_allowed_origins == []
    assert settings.sqlite_synchronous == "FULL"
    assert settings.sync_max_events == 1000


def test_default_database_is_sqlite_in_the_instance_dir(tmp_path: Path) -> None:
    settings = load(PINBOARD_INSTANCE_PATH=str(tmp_path / "inst"))
    assert settings.resolved_database_url() == f"sqlite:///{(tmp_path / 'inst').resolve()}/pinboard.sqlite3"
    assert load(PINBOARD_DATABASE_URL="postgresql://x/y").resolved_database_url() == "postgresql://x/y"


def test_config_toml_in_the_working_directory_overrides_defaults(tmp_path: Path) -> None:
    write_config(tmp_path, 'port = 8080\nhost = "0.0.0.0"\nasync_mode = "gevent"\n')
    settings = load()
    assert (settings.port, settings.host, settings.async_mode) == (8080, "0.0.0.0", "gevent")
    assert settings.log_level == "INFO"


def test_config_file_named_explicitly_or_by_pinboard_config(tmp_path: Path) -> None:
    path = write_config(tmp_path, "port = 8081\n", name="elsewhere.toml")
    write_config(tmp_path, "port = 9999\n")
    assert load(path).port == 8081
    assert load(PINBOARD_CONFIG=str(path)).port == 8081


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'port = 8080\nlog_level = "DEBUG"\n')
    settings = load(path, PINBOARD_PORT="9090")
    assert settings.port == 9090
    assert settings.log_level == "DEBUG"


def test_explicit_overrides_beat_the_environment_and_none_is_ignored(tmp_path: Path) -> None:
    path = write_config(tmp_path, "port = 8080\n")
    settings = load_settings(path, environ={"PINBOARD_PORT": "9090"}, overrides={"port": 7070, "host": None})
    assert settings.port == 7070
    assert settings.host == "127.0.0.1"


def test_unrelated_environment_variables_are_ignored() -> None:
    assert load(PINBOARD_TEST_DATABASE_URL="x", PORT="1", HOME="/root") == Settings()


# ---- coercion ----------------------------------------------------------------------------


def test_environment_integers_are_coerced() -> None:
    settings = load(PINBOARD_PORT="8080", PINBOARD_PROXY_COUNT=" 2 ", PINBOARD_SYNC_MAX_EVENTS="50")
    assert (settings.port, settings.proxy_count, settings.sync_max_events) == (8080, 2, 50)
    assert isinstance(settings.port, int)


def test_switches_take_true_and_false_in_the_file_and_words_in_the_environment(tmp_path: Path) -> None:
    assert load().websocket_compression is False
    assert load(write_config(tmp_path, "websocket_compression = true\n")).websocket_compression is True
    for word, value in [("true", True), (" Yes ", True), ("1", True), ("off", False), ("FALSE", False)]:
        assert load(PINBOARD_WEBSOCKET_COMPRESSION=word).websocket_compression is value, word


def test_environment_lists_are_split_on_commas() -> None:
    settings = load(PINBOARD_CORS_ALLOWED_ORIGINS=" https://a.example , https://b.example,, ")
    assert settings.cors_allowed_origins == ["https://a.example", "https://b.example"]
    assert load(PINBOARD_CORS_ALLOWED_ORIGINS="").cors_allowed_origins == []


def test_file_lists_and_strings_are_kept(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, 'cors_allowed_origins = ["https://a.example"]\nport = "8082"\nsecret_key = "s3"\n'
    )
    settings = load(path)
    assert settings.cors_allowed_origins == ["https://a.example"]
    assert settings.port == 8082
    assert settings.secret_key == "s3"


def test_sqlite_synchronous_is_case_insensitive() -> None:
    assert load(PINBOARD_SQLITE_SYNCHRONOUS="normal").sqlite_synchronous == "NORMAL"


@pytest.mark.parametrize(
    "line", ["port = true", "rate_limit_burst = true", "proxy_count = false", "port = 8080.5"]
)
def test_a_boolean_or_fraction_for_a_number_setting_is_refused(tmp_path: Path, line: str) -> None:
    with pytest.raises(ConfigError):
        load(write_config(tmp_path, line + "\n"))


# ---- errors ------------------------------------------------------------------------------


def test_unknown_keys_in_the_file_raise(tmp_path: Path) -> None:
    path = write_config(tmp_path, "port = 8080\nprot = 8080\ncolour = 1\n")
    with pytest.raises(ConfigError, match="colour, prot"):
        load(path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PINBOARD_PORT", "eighty"),
        ("PINBOARD_PORT", ""),
        ("PINBOARD_PORT", "0"),
        ("PINBOARD_PORT", "65536"),
        ("PINBOARD_ASYNC_MODE", "asyncio"),
        ("PINBOARD_SQLITE_SYNCHRONOUS", "sometimes"),
        ("PINBOARD_RATE_LIMIT_PER_MINUTE", "0"),
        ("PINBOARD_RATE_LIMIT_BURST", "-1"),
        ("PINBOARD_MAX_MESSAGE_BYTES", "0"),
        ("PINBOARD_PROXY_COUNT", "1.5"),
        ("PINBOARD_WEBSOCKET_COMPRESSION", "sometimes"),
        ("PINBOARD_WEBSOCKET_COMPRESSION", ""),
    ],
)
def test_bad_environment_values_raise(name: str, value: str) -> None:
    with pytest.raises(ConfigError):
        load(**{name: value})


@pytest.mark.parametrize(
    "text",
    [
        'port = "eighty"',
        "port = 70000",
        'async_mode = "twisted"',
        "sqlite_busy_timeout_ms = [1]",
        "websocket_compression = 1.5",
    ],
)
def test_bad_file_values_raise(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        load(write_config(tmp_path, text + "\n"))


def test_a_bad_environment_value_raises_even_when_the_file_is_fine(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load(write_config(tmp_path, "port = 8080\n"), PINBOARD_ASYNC_MODE="nope")


def test_a_file_that_is_not_toml_raises_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load(write_config(tmp_path, "port: 8080\n"))


@pytest.mark.parametrize(
    ("name", "value"), [("PINBOARD_LOG_LEVEL", "LOUD"), ("PINBOARD_SYNC_MAX_EVENTS", "-1")]
)
def test_unvalidated_settings_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError):
        load(**{name: value})


# ---- the secret key ----------------------------------------------------------------------


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    settings = load(PINBOARD_INSTANCE_PATH=str(instance))
    first = settings.resolved_secret_key()
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings.resolved_secret_key() == first
    assert load(PINBOARD_INSTANCE_PATH=str(instance)).resolved_secret_key() == first


def test_secret_keys_differ_between_instances(tmp_path: Path) -> None:
    one = load(PINBOARD_INSTANCE_PATH=str(tmp_path / "a")).resolved_secret_key()
    two = load(PINBOARD_INSTANCE_PATH=str(tmp_path / "b")).resolved_secret_key()
    assert one != two


def test_configured_secret_key_wins_and_writes_nothing(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    settings = load(PINBOARD_INSTANCE_PATH=str(instance), PINBOARD_SECRET_KEY="configured")
    assert settings.resolved_secret_key() == "configured"
    assert not (instance / "secret_key").exists()
