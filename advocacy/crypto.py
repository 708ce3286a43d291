"""Secrets at rest: access and refresh tokens, app passwords, client secrets.

Values are encrypted with Fernet under the keys of ADVOCACY_TOKEN_KEYS (comma-separated,
newest first). MultiFernet decrypts with any of them and encrypts with the first, so a new
key is added in front, `flask advocacy rotate-token-keys` re-encrypts every stored secret,
and the old key can then be dropped. Each secret is sealed together with what it is for
("account:12:access"), so a ciphertext copied into another row or column does not open.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app


class SecretError(RuntimeError):
    """A stored secret cannot be opened: wrong key, or not meant for this place."""


class Vault:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def seal(self, purpose: str, value: str) -> str:
        payload = json.dumps({"v": 1, "for": purpose, "value": value}, separators=(",", ":"))
        return self._fernet.encrypt(payload.encode()).decode()

    def open(self, purpose: str, sealed: str) -> str:
        try:
            payload = json.loads(self._fernet.decrypt(sealed.encode()))
        except (InvalidToken, ValueError):
            raise SecretError("a stored secret cannot be decrypted with the configured keys") \
                from None
        if payload.get("for") != purpose:
            raise SecretError(f"a stored secret is not meant for {purpose}")
        return str(payload["value"])

    def rotate(self, sealed: str) -> str:
        """The same secret, encrypted under the newest key."""
        try:
            return self._fernet.rotate(sealed.encode()).decode()
        except InvalidToken:
            raise SecretError("a stored secret cannot be decrypted with the configured keys") \
                from None


def new_key() -> str:
    return Fernet.generate_key().decode()


def parse_keys(raw: str) -> list[str]:
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    for key in keys:
        Fernet(key.encode())  # raises ValueError for a malformed key
    return keys


def local_key(instance_path: Path) -> str:
    """A key kept in the instance folder for debug, demo and test runs."""
    path = instance_path / "token_key"
    if path.exists():
        return path.read_text("utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def init_app(app: Flask) -> None:
    app.extensions["advocacy.vault"] = Vault(parse_keys(app.config["TOKEN_KEYS"]))


def vault(app: Flask | None = None) -> Vault:
    found: Vault = (app or current_app).extensions["advocacy.vault"]
    return found
