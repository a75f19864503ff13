"""A day in admissions, in Debian's Chromium against the real server: start a check, see the
answer, record the call, print the VOB; a slow payer's answer lands on the page; an intake form
arrives, is verified and marked contacted; an alert appears after a re-verification. Every page
passes axe-core and is walked with the keyboard. Screenshots go to `test-artifacts/console-*`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.accessible import assert_accessible, assert_keyboard_reaches_everything
from tests.e2e.running import ARTIFACTS, CHROMIUM, chromium, create_keys, free_port, serve
from tests.helpers import determine, fixture_path
from verifier.app import create_app
from verifier.records import VerificationRecord

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium", allow_module_level=True)

pytestmark = pytest.mark.e2e

CENTRE = "Harbor Light Recovery"
SOON = date.today() + timedelta(days=4)


@dataclass(frozen=True)
class Site:
    base: str
    env: dict[str, str]
    staff_key: str
    lost_coverage: str  # a verification from last week that found the plan active


def seed_active(database_url: str) -> str:
    """Last week's verification of a member whose plan the payer now reports inactive."""
    app = create_app({"DATABASE_URL": database_url})
    request = {
        "payer_id": "MOCK",
        "subscriber": {
            "member_id": "MOCK-INACTIVE",
            "first_name": "Rosa",
            "last_name": "Marquez",
            "date_of_birth": "1979-06-02",
        },
        "service_date": SOON.isoformat(),
    }
    record = VerificationRecord(
        id=secrets.token_hex(16),
        payer_id="MOCK",
        member_id="MOCK-INACTIVE",
        request=request,
        created_at=datetime.now(UTC) - timedelta(days=7),
        completed_at=datetime.now(UTC) - timedelta(days=7),
        state="complete",
        status="active",
        determination=determine(fixture_path("MOCK-IOP-DUAL")),
    )
    try:
        app.extensions["verifier"].repository.add(record)
    finally:
        app.extensions["verifier"].close()
    return record.id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = f"sqlite:///{tmp_path_factory.mktemp('day') / 'verifier.sqlite3'}"
    staff_key, intake_key = create_keys(
        database,
        ("Dana at admissions", ["verifications:read", "verifications:write"], []),
        ("site intake", ["intake:submit"], [base]),
    )
    env = {
        "VERIFIER_DATABASE_URL": database,
        "VERIFIER_SECRET_KEY": f"e2e-{secrets.token_urlsafe(32)}",
        "VERIFIER_FACILITY_NAME": CENTRE,
        "VERIFIER_CONSOLE_WAIT_SECONDS": "2",
        "VERIFIER_MOCK_TIMEOUT_SECONDS": "5",
        "VERIFIER_PAYER_ATTEMPTS": "1",
        "VERIFIER_INTAKE_PAGE_KEY": intake_key,
        "VERIFIER_INTAKE_PAGE_CENTRE_NAME": CENTRE,
    }
    lost = seed_active(database)
    with serve(port, env) as served:
        yield Site(base, env, staff_key, lost)
    for secret in (b"Jane", b"Rosa", b"MOCK-IOP-DUAL", b"1985-03-15", b"REF-7781", b"Maria"):
        assert secret not in served.logged
    assert staff_key.encode() not in served.logged


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def opened(browser: Browser, bypass_csp: bool) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=bypass_csp)
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        yield page
    finally:
        context.close()
    assert problems == []  # no script error, no CSP refusal


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A tab that lets axe-core in: Playwright injects it as an inline script, which the
    console's Content-Security-Policy (rightly) refuses."""
    yield from opened(browser, bypass_csp=True)


@pytest.fixture
def strict_page(browser: Browser) -> Iterator[Page]:
    """A tab under the console's own Content-Security-Policy, as staff browsers are."""
    yield from opened(browser, bypass_csp=False)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # The keyboard walk leaves the skip link focused over the header: not what staff see.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def checked(page: Page) -> None:
    """axe-core finds nothing, and Tab reaches every control (on a page just loaded)."""
    assert_accessible(page)
    assert_keyboard_reaches_everything(page)


def sign_in(page: Page, site: Site, check: bool = True) -> None:
    page.goto(f"{site.base}/console/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    if check:
        checked(page)
    page.get_by_label("API key").fill(site.staff_key)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Recent verifications")).to_be_visible()


def type_into(page: Page, label: str, text: str) -> None:
    """Focus a field by its label and type, as a keyboard user does."""
    field = page.get_by_label(re.compile(rf"^{re.escape(label)}( \(optional\))?$"))
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_start_a_check_see_the_answer_record_a_call_and_print_the_vob(
    site: Site, page: Page
) -> None:
    sign_in(page, site)
    checked(page)
    page.get_by_role("navigation", name="Console").get_by_role(
        "link", name="Start a verification"
    ).click()
    expect(page.get_by_role("heading", name="Start a verification")).to_be_visible()
    checked(page)

    # Keyboard only: a member id the API refuses and no birth date.
    type_into(page, "Payer", "mock hea")
    type_into(page, "Member id", "MOCK_IOP_DUAL")
    type_into(page, "Subscriber's first name", "Jane")
    type_into(page, "Subscriber's last name", "Doe")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem: 2 fields need attention")
    expect(page.locator("#error-summary")).to_be_focused()
    member = page.get_by_label("Member id", exact=True)
    expect(member).to_have_accessible_description(re.compile("letters, digits, spaces"))
    expect(page.locator("#date_of_birth-error")).to_have_text("Enter a real date as YYYY-MM-DD.")
    assert_accessible(page)
    shot(page, "1-start-errors")

    type_into(page, "Member id", "MOCK-IOP-DUAL")
    type_into(page, "Subscriber's date of birth", "03151985")
    type_into(page, "Date of service", f"{SOON:%m%d%Y}")
    page.get_by_role("button", name="Ask the payer").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="JANE DOE")).to_be_visible()
    expect(page.get_by_text("Mental health IOP: Covered").first).to_be_visible()
    expect(page.get_by_text("Asked about").locator("xpath=following-sibling::dd[1]")).to_have_text(
        "Jane Doe, born 1985-03-15"
    )
    checked(page)
    shot(page, "2-answer")

    # The representative confirms substance-use IOP needs prior authorization.
    page.get_by_label("Level of care", exact=True).select_option("iop_substance_use")
    page.get_by_label("Prior authorization (optional)", exact=True).select_option("yes")
    type_into(page, "Prior authorization phone", "800-555-0142")
    type_into(page, "Representative's name", "Maria")
    type_into(page, "Call reference", "REF-7781")
    page.get_by_role("button", name="Record the call").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("The call is recorded")
    sources = page.get_by_role("table", name="Where each value came from")
    row = (
        sources.get_by_role("row")
        .filter(has_text="IOP: substance use")
        .filter(has_text="Prior authorization")
    )
    expect(row.first).to_contain_text("Required")
    expect(row.first).to_contain_text("representative Maria; call reference REF-7781")
    checked(page)
    shot(page, "3-call-recorded")

    page.get_by_role("link", name="Printable VOB").click()
    expect(page.get_by_role("heading", name="Verification of benefits")).to_be_visible()
    expect(page.get_by_text("call reference REF-7781").first).to_be_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    shot(page, "4-vob-print")


def test_a_slow_payers_answer_lands_on_the_page_by_itself(site: Site, strict_page: Page) -> None:
    # Under the real policy: our script may run and ask the server whether the answer landed.
    page = strict_page
    sign_in(page, site, check=False)
    page.goto(f"{site.base}/console/verifications/new")
    type_into(page, "Payer", "Mock Health Plan")
    type_into(page, "Member id", "MOCK-TIMEOUT")
    type_into(page, "Subscriber's first name", "Jane")
    type_into(page, "Subscriber's last name", "Doe")
    type_into(page, "Subscriber's date of birth", "03151985")
    page.get_by_role("button", name="Ask the payer").click()
    expect(page.get_by_role("status").filter(has_text="Asking the payer…")).to_be_visible()
    pending = page.locator("#pending")
    expect(pending).to_contain_text("Asking the payer… The answer is not in yet")
    assert_keyboard_reaches_everything(page)
    shot(page, "5-asking-the-payer")
    # The payer gives up after 5 seconds; the page updates without anyone reloading it.
    expect(pending).to_have_count(0, timeout=20_000)
    expect(page.get_by_role("alert")).to_contain_text("No usable answer")
    shot(page, "6-slow-answer-landed")


def run_worker(site: Site) -> None:
    worker = str(Path(sys.executable).with_name("verifier"))
    subprocess.run(
        [worker, "worker", "--until-idle"],
        env={**os.environ, **site.env},
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_an_intake_form_arrives_is_verified_and_is_marked_contacted(site: Site, page: Page) -> None:
    page.goto(f"{site.base}/intake")
    expect(page.locator("#intake-form")).to_be_visible()
    checked(page)
    page.get_by_label("First name").fill("Jane")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("Date of birth").fill("1985-03-15")
    page.get_by_label("Insurance company").fill("Mock Health Plan")
    expect(page.locator("#payer_id")).to_have_value("MOCK")
    page.get_by_label("Member ID").fill("MOCK-IOP-DUAL")
    page.get_by_label("Phone number (optional)").fill("(555) 010-0142")
    page.get_by_label(f"I agree that {CENTRE} may check my insurance benefits.").check()
    page.get_by_role("button", name="Check my insurance").click()
    expect(page.locator("#confirmation")).to_be_visible()
    reference = page.locator("#confirmation-reference").inner_text().strip()
    assert_accessible(page)

    run_worker(site)  # `verifier worker` verifies queued submissions

    sign_in(page, site)
    page.get_by_role("link", name="Intake queue").click()
    expect(page.get_by_role("heading", name="Intake queue")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("complete, active")
    expect(row).to_contain_text("(555) 010-0142")
    expect(row).to_contain_text("Agreed to the benefits check")
    checked(page)
    shot(page, "7-intake-new")

    row.get_by_role("button", name=re.compile("^Mark contacted")).focus()
    page.keyboard.press("Enter")
    marked = f"Marked contacted: reference {reference}"
    expect(page.get_by_role("status").first).to_contain_text(marked)
    page.get_by_role("link", name="Contacted", exact=True).click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Contacted")
    expect(row).to_contain_text("by Dana at admissions")
    checked(page)
    shot(page, "8-intake-contacted")


def test_an_alert_appears_after_a_re_verification(site: Site, page: Page) -> None:
    sign_in(page, site)
    page.goto(f"{site.base}/console/verifications/{site.lost_coverage}")
    expect(page.get_by_text("Rosa Marquez, born 1979-06-02")).to_be_visible()
    page.get_by_role("button", name="Verify again").click()
    expect(page.get_by_role("status").first).to_contain_text("Verified again")
    latest = page.url.rsplit("/", 1)[1]

    page.get_by_role("link", name="Alerts").click()
    expect(page.get_by_role("heading", name="Alerts")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Rosa Marquez").filter(has_text="Coverage lost")
    expect(row).to_contain_text("Coverage ended: the plan is no longer active.")
    expect(row).to_contain_text(SOON.isoformat())
    checked(page)
    shot(page, "9-alerts")

    page.get_by_label("Kind of change").select_option("coverage_lost")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(2)  # header and one
    row = page.get_by_role("row").filter(has_text="Coverage lost")
    expect(row.get_by_role("link", name="Latest verification of Rosa Marquez")).to_have_attribute(
        "href", f"/console/verifications/{latest}"
    )
    row.get_by_role("link", name="Previous verification of Rosa Marquez").click()
    assert page.url.endswith(site.lost_coverage)
    expect(page.get_by_text("Rosa Marquez, born 1979-06-02")).to_be_visible()


def test_the_error_page_and_an_empty_search_are_accessible_too(site: Site, page: Page) -> None:
    sign_in(page, site, check=False)
    page.goto(f"{site.base}/console/verifications/no-such-verification")
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()
    checked(page)
    page.goto(f"{site.base}/console/?member_id=NOBODY-HERE")
    expect(page.get_by_text("No verifications of member NOBODY-HERE.")).to_be_visible()
    checked(page)
