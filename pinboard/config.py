"""Settings: defaults, overridden by config.toml, then by PINBOARD_* environment variables.

This module imports nothing but the standard library, so the command line can read the
settings (for example the async mode) before any networking library is imported.
"""

from __future__ import annotations

import logging
import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ASYNC_MODES = ("eventlet", "gevent", "threading")
SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


class ConfigError(ValueError):
    """A setting has a value the server cannot run with."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 5000
    instance_path: str = "instance"
    database_url: str = ""  # empty: SQLite file pinboard.sqlite3 in instance_path
    secret_key: str = ""  # empty: generated once and kept in instance_path/secret_key
    async_mode: str = "eventlet"
    message_queue: str = ""  # e.g. redis://127.0.0.1:6379/0 for several processes
    # The Redis pub/sub channel, also the prefix of the shared rate-limit keys: one per deployment.
    message_queue_channel: str = "pinboard"
    head_interval_ms: int = 2000  # how often each process tells its rooms the last seq; 0: never
    public_url: str = ""  # e.g. https://pinboard.example.org when behind a proxy
    organiser_password: str = ""  # empty: anyone who reaches the server may create workshops
    cors_allowed_origins: list[str] = field(default_factory=list)  # empty: own origin only
    proxy_count: int = 0  # how many proxies in front whose X-Forwarded-* headers to trust
    sqlite_synchronous: str = "FULL"
    sqlite_busy_timeout_ms: int = 10000
    rate_limit_per_minute: int = 120
    rate_limit_burst: int = 40
    rate_limit_disconnect_after: int = 20  # rate-limited events in a row before disconnecting; 0: never
    max_message_bytes: int = 16384
    sync_max_events: int = 1000
    # 0: every event goes out at once. Else a workshop's broadcasts that follow one another
    # within this many ms go out together, one frame per connection (pinboard/coalescing.py).
    broadcast_window_ms: int = 0
    # False: WebSocket frames go uncompressed (pinboard/websocket_compression.py says why).
    websocket_compression: bool = False
    purge_after_days: int = 0  # 0: keep workshops until the moderator deletes them
    log_level: str = "INFO"

    def validated(self) -> Settings:
        if self.async_mode not in ASYNC_MODES:
            raise ConfigError(f"async_mode must be one of {', '.join(ASYNC_MODES)}")
        if self.sqlite_synchronous.upper() not in SQLITE_SYNCHRONOUS:
            raise ConfigError(f"sqlite_synchronous must be one of {', '.join(SQLITE_SYNCHRONOUS)}")
        if not 0 < self.port < 65536:
            raise ConfigError("port must be between 1 and 65535")
        for name in ("rate_limit_per_minute", "rate_limit_burst", "max_message_bytes", "sync_max_events"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        for name in (
            "proxy_count",
            "sqlite_busy_timeout_ms",
            "purge_after_days",
            "rate_limit_disconnect_after",
            "broadcast_window_ms",
            "head_interval_ms",
        ):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative")
        if not self.message_queue_channel:
            raise ConfigError("message_queue_channel must not be empty")
        if self.log_level.upper() not in logging.getLevelNamesMapping():
            raise ConfigError("log_level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return replace(
            self, sqlite_synchronous=self.sqlite_synchronous.upper(), log_level=self.log_level.upper()
        )

    @property
    def instance_dir(self) -> Path:
        return Path(self.instance_path).resolve()

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_dir / 'pinboard.sqlite3'}"

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        key_file = self.instance_dir / "secret_key"
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
        key = key_file.read_text().strip()
        if len(key) < 32:
            raise ConfigError(f"{key_file} holds no usable secret key; delete it to generate one")
        return key


def _coerce(name: str, raw: Any, template: Any) -> Any:
    try:
        if isinstance(template, bool):
            return _boolean(raw)
        if isinstance(template, int):
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError(f"expected a whole number, got {raw!r}")
            return int(raw)
        if isinstance(template, list):
            if isinstance(raw, str):
                return [item.strip() for item in raw.split(",") if item.strip()]
            return list(raw)
        return str(raw)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"setting {name}: {error}") from None


_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError(f"expected true or false, got {raw!r}")


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Build the settings: defaults < config file < environment < explicit overrides."""
    environ = dict(os.environ if environ is None else environ)
    defaults = Settings()
    values: dict[str, Any] = {}
    path = Path(config_file or environ.get("PINBOARD_CONFIG", "config.toml"))
    if path.exists():
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path} is not valid TOML: {error}") from None
        unknown = set(data) - {f.name for f in fields(Settings)}
        if unknown:
            raise ConfigError(f"unknown settings in {path}: {', '.join(sorted(unknown))}")
        values.update(data)
    for f in fields(Settings):
        env_name = f"PINBOARD_{f.name.upper()}"
        if env_name in environ:
            values[f.name] = environ[env_name]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    coerced = {name: _coerce(name, raw, getattr(defaults, name)) for name, raw in values.items()}
    return replace(defaults, **coerced).validated()
