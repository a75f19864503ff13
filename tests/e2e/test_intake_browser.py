"""The public intake page in a real browser (Debian's Chromium, headless) against the real server.

A person fills the form with a member id the API refuses and consent unticked, reads the server's
messages next to those fields, fixes them with the keyboard and gets a reference; the admissions
team then reads the stored request with its own key. Screenshots go to `test-artifacts/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.running import ARTIFACTS, CHROMIUM, chromium, create_keys, free_port, serve
from verifier.app import create_app

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium", allow_module_level=True)

pytestmark = pytest.mark.e2e

CENTRE = "Harbor Light Recovery"


@dataclass(frozen=True)
class Site:
    base: str
    database_url: str
    intake_key: str
    staff: dict[str, str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{tmp_path_factory.mktemp('intake-page') / 'verifier.sqlite3'}"
    intake_key, staff_key = create_keys(
        database_url,
        ("site intake", ["intake:submit"], [base]),
        ("admissions", ["verifications:read"], []),
    )
    env = {
        "VERIFIER_DATABASE_URL": database_url,
        "VERIFIER_MOCK_TIMEOUT_SECONDS": "0.2",
        "VERIFIER_INTAKE_PAGE_KEY": intake_key,
        "VERIFIER_INTAKE_PAGE_CENTRE_NAME": CENTRE,
        "VERIFIER_INTAKE_PAGE_API_BASE": "",
    }
    with serve(port, env) as served:
        yield Site(base, database_url, intake_key, {"Authorization": f"Bearer {staff_key}"})
    # What the person typed never reaches the logs.
    for typed in (
        b"Jane",
        b"MOCK-IOP-DUAL",
        b"MOCK_IOP_DUAL",
        b"1985-03-15",
        b"19850315",
        b"jane@example.org",
    ):
        assert typed not in served.logged


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 900, "height": 1200})
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"intake-{name}.png"), full_page=True)


def watch_console(page: Page) -> list[str]:
    """Script errors and console errors (a CSP violation is one) seen by the page.

    Chromium also logs each non-2xx answer ("Failed to load resource"): the 422 the test asks
    for and the favicon's 404 are expected, so those are left out.
    """
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", console)
    return problems


def fill_person(page: Page, member_id: str) -> None:
    page.get_by_label("First name").fill("Jane")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("Date of birth").fill("1985-03-15")
    payer = page.get_by_label("Insurance company")
    payer.press_sequentially("mock hea", delay=40)
    # The directory's answer fills the suggestions; picking one puts its name in the field.
    options = page.locator("#payer-options option")
    expect(options).to_have_count(1)
    expect(options).to_have_attribute("value", "Mock Health Plan")
    payer.fill("Mock Health Plan")
    expect(page.locator("#payer_id")).to_have_value("MOCK")
    page.get_by_label("Member ID").fill(member_id)
    page.get_by_label("Phone number (optional)").fill("(555) 010-0199")
    page.get_by_label("Email address (optional)").fill("jane@example.org")


def test_a_person_fixes_what_the_server_refused_and_gets_a_reference(
    site: Site, page: Page
) -> None:
    problems = watch_console(page)
    page.goto(f"{site.base}/intake")
    form = page.locator("#intake-form")
    expect(form).to_be_visible()
    consent = page.get_by_label(f"I agree that {CENTRE} may check my insurance benefits.")
    expect(consent).not_to_be_checked()

    # An underscore the API does not accept; consent unticked, and `required` taken off so the
    # browser lets the server be the one to say so.
    fill_person(page, "MOCK_IOP_DUAL")
    page.evaluate("document.getElementById('consent').required = false")
    screenshot(page, "1-filled")
    page.get_by_role("button", name="Check my insurance").click()

    member = page.get_by_label("Member ID")
    member_error = page.locator("#member_id-error")
    consent_error = page.locator("#consent-error")
    expect(member_error).to_have_text("Use letters, digits, spaces and hyphens only.")
    expect(consent_error).to_have_text("Please agree so we can check your benefits.")
    expect(member).to_have_attribute("aria-invalid", "true")
    expect(member).to_have_accessible_description(re.compile("Use letters, digits"))
    expect(member).to_be_focused()  # the first bad field
    expect(page.locator("#first_name-error")).to_be_hidden()
    expect(page.get_by_role("status")).to_have_text("There is a problem: 2 fields need attention.")
    screenshot(page, "2-server-errors")

    # Keyboard only from here: retype the member id, send with Enter.
    page.keyboard.press("Control+A")
    page.keyboard.type("MOCK-IOP-DUAL")
    page.keyboard.press("Enter")
    expect(member_error).to_be_hidden()  # old errors cleared on resubmit
    expect(member).not_to_have_attribute("aria-invalid", "true")
    expect(consent_error).to_have_text("Please agree so we can check your benefits.")
    expect(consent).to_be_focused()
    expect(page.get_by_role("status")).to_have_text("There is a problem: 1 field needs attention.")
    screenshot(page, "3-consent-missing")

    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check my insurance")).to_be_focused()
    screenshot(page, "4-fixed")
    page.keyboard.press("Enter")

    confirmation = page.locator("#confirmation")
    expect(confirmation).to_be_visible()
    expect(confirmation).to_be_focused()
    expect(form).to_have_count(0)  # the form, and what was typed, are gone
    expect(page.locator("#confirmation-message")).to_contain_text("Thank you.")
    reference = page.locator("#confirmation-reference").inner_text().strip()
    assert reference
    screenshot(page, "5-confirmation")
    assert problems == []

    # The admissions team reads what was submitted, under the reference the person was given.
    response = httpx.get(
        f"{site.base}/v1/verifications/{reference}", headers=site.staff, timeout=10
    )
    assert response.status_code == 200
    record = response.json()
    assert record["payer_id"] == "MOCK"
    assert record["request"]["subscriber"] == {
        "member_id": "MOCK-IOP-DUAL",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
        "group_number": None,
    }
    assert record["request"]["contact"] == {"phone": "(555) 010-0199", "email": "jane@example.org"}
    assert record["request"]["consent"] is True


def test_a_busy_or_unreachable_server_asks_to_try_again(site: Site, page: Page) -> None:
    page.goto(f"{site.base}/intake")
    fill_person(page, "MOCK-IOP-DUAL")
    page.get_by_label(f"I agree that {CENTRE} may check my insurance benefits.").check()
    status = page.get_by_role("status")
    button = page.get_by_role("button", name="Check my insurance")

    page.route(
        "**/v1/intake",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "30"},
            json={"code": 429, "status": "Too Many Requests", "message": "Too many."},
        ),
    )
    button.click()
    expect(status).to_contain_text("please try again in 30 seconds")
    screenshot(page, "6-too-many")

    page.unroute("**/v1/intake")
    page.route("**/v1/intake", lambda route: route.abort("connectionrefused"))
    button.click()
    expect(status).to_contain_text("We could not reach our server")
    # Nothing typed is lost: the person can simply send again.
    expect(page.get_by_label("Member ID")).to_have_value("MOCK-IOP-DUAL")
    expect(button).to_have_attribute("aria-disabled", "false")
    screenshot(page, "7-unreachable")


def test_the_page_and_its_files_need_no_key_and_bind_framing_to_the_keys_site(site: Site) -> None:
    page = httpx.get(f"{site.base}/intake", timeout=5)
    assert page.status_code == 200
    assert f'data-key="{site.intake_key}"' in page.text
    assert f"frame-ancestors 'self' {site.base}" in page.headers["Content-Security-Policy"]
    for name in ("intake.js", "intake.css"):
        assert httpx.get(f"{site.base}/intake/static/{name}", timeout=5).status_code == 200


@pytest.mark.parametrize("key", [None, "", "vk_not-a-key-anyone-made"])
def test_without_a_usable_key_the_page_says_it_is_not_configured(
    site: Site, key: str | None
) -> None:
    app = create_app({"DATABASE_URL": site.database_url, "INTAKE_PAGE_KEY": key})
    try:
        response = app.test_client().get("/intake")
    finally:
        app.extensions["verifier"].close()
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "not available right now" in text
    assert "<form" not in text
    assert "data-key" not in text
