"""Start the OpenID provider of `provider.mjs` on 127.0.0.1 for a test, installing it with
`npm ci` first when its node_modules are missing; the people who can sign in are accounts.json."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ACCOUNTS: dict[str, Any] = json.loads((HERE / "accounts.json").read_text("utf-8"))
CLIENT_ID = "verifier-console"
CLIENT_SECRET = "console-test-secret-" + "0" * 24


def install() -> None:
    """`npm ci` once; skips the test where Node.js is not installed."""
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("Node.js and npm are needed to run the OpenID provider")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)


@contextmanager
def openid_provider(port: int, console_bases: list[str]) -> Iterator[str]:
    """The provider on `port`, knowing the console client at each of `console_bases`; yields
    its issuer."""
    install()
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{base}/console/login/oidc/callback" for base in console_bases],
        "post_logout_redirect_uris": [f"{base}/console/login" for base in console_bases],
    }
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT": json.dumps(client)}
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                discovery = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                if discovery.status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the OpenID provider did not start")
        yield issuer
    finally:
        process.terminate()
        process.communicate(timeout=10)


def console_settings(issuer: str) -> dict[str, str]:
    """The console's settings for this provider, as environment variables."""
    return {
        "VERIFIER_OIDC_ISSUER": issuer,
        "VERIFIER_OIDC_CLIENT_ID": CLIENT_ID,
        "VERIFIER_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "VERIFIER_OIDC_PROVIDER_NAME": "Harbor Light staff sign-in",
        "VERIFIER_OIDC_REQUEST_SCOPES": "openid email profile groups",
        "VERIFIER_OIDC_SCOPES_CLAIM": "groups",
        "VERIFIER_OIDC_SCOPE_MAP": "admissions=verifications:read verifications:write;"
        "it-admins=admin",
    }
