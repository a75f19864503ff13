"""Encryption of PHI at rest (MultiFernet) and the HMAC blind index used to look members up.

Keys come from `VERIFIER_DATA_KEYS` (comma-separated Fernet keys, the first encrypts, all decrypt)
and `VERIFIER_BLIND_INDEX_KEY`; without them, from a local key file created on first use (0600),
which suits the embedded single-machine default and development.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)
DEFAULT_KEY_FILE = ".verifier-data-keys"


class UnreadableCiphertext(ValueError):
    """Stored data that none of the configured keys decrypts (a key was removed too early)."""


class Protector:
    """Encrypts and decrypts PHI; computes the blind index of a member id."""

    def __init__(self, data_keys: list[str], index_key: str) -> None:
        if not data_keys or not index_key:
            raise ValueError("encryption needs at least one data key and a blind-index key")
        self.fernet = MultiFernet([Fernet(key.encode()) for key in data_keys])
        self.index_key = index_key.encode()

    def encrypt(self, text: str) -> str:
        return self.fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise UnreadableCiphertext(
                "stored data cannot be decrypted with the configured keys"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt under the first (newest) key."""
        return self.fernet.rotate(token.encode()).decode()

    def index(self, member_id: str) -> str:
        """Equal member ids give equal indexes; the index reveals nothing without the key."""
        return hmac.new(self.index_key, member_id.strip().encode(), hashlib.sha256).hexdigest()


def _from_file(path: Path) -> tuple[list[str], str]:
    if path.exists():
        data = json.loads(path.read_text("utf-8"))
        return list(data["data_keys"]), str(data["blind_index_key"])
    data_keys, index_key = [Fernet.generate_key().decode()], os.urandom(32).hex()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"data_keys": data_keys, "blind_index_key": index_key}, handle)
    log.warning(
        "created local data-encryption keys in %s; set VERIFIER_DATA_KEYS in production", path
    )
    return data_keys, index_key


def load_protector(config: Mapping[str, Any] | None = None) -> Protector:
    """The protector for `config` (or the environment): explicit keys, else the local key file."""
    config = config or {}
    data_keys = config.get("DATA_KEYS") or os.environ.get("VERIFIER_DATA_KEYS")
    index_key = config.get("BLIND_INDEX_KEY") or os.environ.get("VERIFIER_BLIND_INDEX_KEY")
    if data_keys and index_key:
        keys = data_keys if isinstance(data_keys, list) else str(data_keys).split(",")
        return Protector([k.strip() for k in keys if k.strip()], str(index_key))
    path = Path(
        config.get("DATA_KEY_FILE") or os.environ.get("VERIFIER_DATA_KEY_FILE") or DEFAULT_KEY_FILE
    )
    try:
        return Protector(*_from_file(path))
    except FileExistsError:  # another process created it between our check and create
        return Protector(*_from_file(path))
