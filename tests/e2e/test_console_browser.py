"""The staff console in a real browser (Debian's Chromium, driven by Playwright, JavaScript off):
sign in, open a verification made through the API, download its VOB as a PDF."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
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

pytestmark = pytest.mark.e2e

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

BODY = request_for("MOCK-IOP-DUAL")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    database = f"sqlite:///{tmp_path_factory.mktemp('console') / 'verifier.sqlite3'}"
    scopes = ["verifications:read", "verifications:write"]
    [token] = create_keys(database, ("Dana at admissions", scopes, []))
    env = {
        "VERIFIER_DATABASE_URL": database,
        "VERIFIER_MOCK_TIMEOUT_SECONDS": "0.2",
        "VERIFIER_SECRET_KEY": f"e2e-{secrets.token_urlsafe(32)}",
        "VERIFIER_FACILITY_NAME": "Harbor Light Recovery",
    }
    with serve(free_port(), env) as served:
        yield served.base, token
    for secret in (b"Jane", b"MOCK-IOP-DUAL", token.encode()):
        assert secret not in served.logged


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_sign_in_open_a_verification_and_download_its_vob(
    server: tuple[str, str], browser: Any
) -> None:
    base, token = server
    created = httpx.post(
        f"{base}/v1/verifications",
        json=BODY,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert created.status_code == 201
    record_id = created.json()["id"]
    ARTIFACTS.mkdir(exist_ok=True)
    expect = sync_api.expect
    # Without JavaScript: the console must work as plain HTML forms and links.
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{base}/console/")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("API key").fill("vk_wrong")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("not recognised")
        page.get_by_label("API key").fill(token)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Recent verifications")).to_be_visible()
        expect(page.get_by_text("Mental health IOP: Covered").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "console-list.png"), full_page=True)

        page.locator(f'a[href="/console/verifications/{record_id}"]').click()
        expect(page.get_by_role("heading", name="JANE DOE")).to_be_visible()
        expect(page.locator("progress").first).to_be_visible()
        expect(page.get_by_role("cell", name="$40 copay per day").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "console-detail.png"), full_page=True)

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download VOB (PDF)").click()
        download = download_info.value
        assert download.suggested_filename == f"vob-{record_id}.pdf"
        pdf = Path(download.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 1024
        download.save_as(str(ARTIFACTS / f"vob-{record_id}.pdf"))

        page.get_by_role("link", name="Printable VOB").click()
        expect(page.get_by_role("heading", name="Verification of benefits")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.get_by_role("navigation", name="Verification of benefits")).to_be_hidden()
        page.screenshot(path=str(ARTIFACTS / "console-vob-print.png"), full_page=True)
        page.emulate_media(media="screen")

        page.get_by_role("link", name="Back to the verification").click()
        page.get_by_role("button", name="Verify again").click()
        expect(page.get_by_role("status").first).to_contain_text("Verified again")
        assert record_id not in page.url

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.goto(f"{base}/console/verifications/{record_id}")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        context.close()
