"""What the end-to-end tests share: keys made as an operator would, the real server under
gunicorn on a free port, and Debian's headless Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from verifier.app import create_app
from verifier.security.keys import new_key
from verifier.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out of this closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_keys(database_url: str, *specs: tuple[str, list[str], list[str]]) -> list[str]:
    """Migrate the database, then make one key per (name, scopes, origins); returns the keys."""
    upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url})
    tokens = []
    try:
        for name, scopes, origins in specs:
            fresh = new_key(name, scopes, origins, datetime.now(UTC))
            app.extensions["verifier"].keys.add(fresh)
            tokens.append(fresh.token)
    finally:
        app.extensions["verifier"].close()
    return tokens


def request_for(member_id: str, payer_id: str = "MOCK") -> dict[str, Any]:
    """A verification request for one member (the mock payer's members are its scenarios)."""
    return {
        "payer_id": payer_id,
        "subscriber": {
            "member_id": member_id,
            "first_name": "Jane",
            "last_name": "Doe",
            "date_of_birth": "1985-03-15",
        },
    }


class Served:
    """A running server: its base URL, and after it stops, what it logged while serving."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.logged = b""


@contextmanager
def serve(port: int, env: dict[str, str]) -> Iterator[Served]:
    """`verifier serve` on `port` with `env` added to ours; stopped with SIGTERM on exit."""
    command = [str(Path(sys.executable).with_name("verifier")), "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    served = Served(f"http://127.0.0.1:{port}")
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{served.base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
        # Past the start-up banner, whose example curl names an invented member.
        served.logged = output.split(b"Starting gunicorn", 1)[-1]


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
