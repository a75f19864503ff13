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
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from verifier.settings import Settings, load_settings

log = logging.getLogger(__name__)


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


def load_protector(settings: Settings | None = None) -> Protector:
    """The protector for `settings` (read from the environment when not given): explicit keys,
    else the local key file."""
    settings = settings or load_settings()
    if settings.data_keys and settings.blind_index_key:
        keys = [k.strip() for k in settings.data_keys.split(",") if k.strip()]
        return Protector(keys, settings.blind_index_key)
    path = Path(settings.data_key_file)
    try:
        return Protector(*_from_file(path))
    except FileExistsError:  # another process created it between our check and create
        return Protector(*_from_file(path))
