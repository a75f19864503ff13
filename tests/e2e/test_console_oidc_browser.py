"""Staff sign in to the console as themselves, in a real browser (Debian's Chromium, JavaScript
off), through a real OpenID provider (oidc-provider on 127.0.0.1): the audit trail names them,
signing out ends both sessions, a person without access is told so, and sessions expire."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.running import (
    ARTIFACTS,
    CHROMIUM,
    chromium,
    create_keys,
    free_port,
    request_for,
    serve,
)
from tests.oidc.provider import ACCOUNTS, console_settings, openid_provider

pytestmark = pytest.mark.e2e

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

PROVIDER = "Harbor Light staff sign-in"
DANA, SAM = ACCOUNTS["dana"], ACCOUNTS["sam"]
SHORT_SESSION_SECONDS = 12


class Console:
    """The console as deployed: signing in through the provider only; and a second one on the
    same database whose sessions last seconds."""

    def __init__(self, base: str, short: str, crm: str, admin: str) -> None:
        self.base, self.short, self.crm, self.admin = base, short, crm, admin


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    database = f"sqlite:///{tmp_path_factory.mktemp('oidc') / 'verifier.sqlite3'}"
    crm, admin = create_keys(
        database,
        ("admissions CRM", ["verifications:read", "verifications:write"], []),
        ("compliance", ["admin"], []),
    )
    port, short_port = free_port(), free_port()
    bases = [f"http://127.0.0.1:{port}", f"http://127.0.0.1:{short_port}"]
    with openid_provider(free_port(), bases) as issuer:
        env = {
            **console_settings(issuer),
            "VERIFIER_DATABASE_URL": database,
            "VERIFIER_SECRET_KEY": f"e2e-{secrets.token_urlsafe(32)}",
            "VERIFIER_CONSOLE_KEY_SIGN_IN": "false",
        }
        hours = str(SHORT_SESSION_SECONDS / 3600)
        with (
            serve(port, env) as served,
            serve(short_port, {**env, "VERIFIER_CONSOLE_SESSION_HOURS": hours}) as short,
        ):
            yield Console(served.base, short.base, crm, admin)
    # No PHI, no password, and no token (a JWT starts "eyJ") in what the servers logged.
    for secret in (b"Jane", b"MOCK-IOP-DUAL", DANA["password"].encode(), b"eyJ"):
        assert secret not in served.logged and secret not in short.logged


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in_at_the_provider(page: Any, username: str, shot: str | None = None) -> None:
    expect = sync_api.expect
    page.get_by_role("link", name=f"Sign in with {PROVIDER}").click()
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(ACCOUNTS[username]["password"])
    if shot:
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_coordinator_signs_in_as_themselves_and_the_audit_trail_names_them(
    console: Console, page: Any
) -> None:
    expect = sync_api.expect
    created = httpx.post(
        f"{console.base}/v1/verifications",
        json=request_for("MOCK-IOP-DUAL"),
        headers={"Authorization": f"Bearer {console.crm}"},
        timeout=10,
    )
    assert created.status_code == 201
    record_id = created.json()["id"]

    page.goto(f"{console.base}/console/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("API key")).to_have_count(0)  # production: people, not keys
    page.screenshot(path=str(ARTIFACTS / "console-oidc-sign-in.png"), full_page=True)
    sign_in_at_the_provider(page, "dana", shot="console-oidc-provider-login.png")

    expect(page.get_by_role("heading", name="Recent verifications")).to_be_visible()
    expect(page.get_by_text("Signed in as Dana Whitfield").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "console-oidc-list.png"), full_page=True)
    page.locator(f'a[href="/console/verifications/{record_id}"]').click()
    expect(page.get_by_role("heading", name="JANE DOE")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "console-oidc-detail.png"), full_page=True)

    trail = httpx.get(
        f"{console.base}/v1/audit",
        params={"resource_id": record_id, "action": "read"},
        headers={"Authorization": f"Bearer {console.admin}"},
        timeout=10,
    ).json()["items"]
    assert [(e["subject"], e["email"], e["key_id"], e["status_code"]) for e in trail] == [
        (DANA["claims"]["sub"], DANA["claims"]["email"], None, 200)
    ]

    page.get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("heading", name="Sign out of Harbor Light staff sign-in?")
    ).to_be_visible()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("status").first).to_contain_text("You are signed out.")
    page.screenshot(path=str(ARTIFACTS / "console-oidc-signed-out.png"), full_page=True)
    page.goto(f"{console.base}/console/verifications/{record_id}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # The provider's session ended too: it asks for a password again, not silently back in.
    page.get_by_role("link", name=f"Sign in with {PROVIDER}").click()
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()


def test_a_person_whose_groups_give_no_access_is_refused_with_a_clear_message(
    console: Console, page: Any
) -> None:
    expect = sync_api.expect
    page.goto(f"{console.base}/console/login")
    sign_in_at_the_provider(page, "sam")
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(f"You signed in as {SAM['claims']['email']}")
    expect(refusal).to_contain_text("Ask an administrator to add you to a group")
    page.screenshot(path=str(ARTIFACTS / "console-oidc-refused.png"), full_page=True)
    page.goto(f"{console.base}/console/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_expired_session_asks_to_sign_in_again(console: Console, page: Any) -> None:
    expect = sync_api.expect
    page.goto(f"{console.short}/console/")
    sign_in_at_the_provider(page, "dana")
    expect(page.get_by_role("heading", name="Recent verifications")).to_be_visible()
    time.sleep(SHORT_SESSION_SECONDS + 2)
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Your session has ended")
    page.screenshot(path=str(ARTIFACTS / "console-oidc-expired.png"), full_page=True)
