"""The API documentation in a real browser: Swagger UI from the service itself, offline, under
a Content-Security-Policy of its own origin (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.running import CHROMIUM, chromium, create_keys, free_port, serve

pytestmark = pytest.mark.e2e

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'verifier.sqlite3'}"
    # A key in the table, as in every real deployment: no development key is made and written
    # into the working directory (where it would replace `make run`'s own).
    create_keys(database, ("docs reader", ["verifications:read"], []))
    with serve(free_port(), {"VERIFIER_DATABASE_URL": database}) as served:
        yield served.base


def test_docs_show_every_operation_without_leaving_the_service(base: str) -> None:
    hosts: set[str] = set()
    problems: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
        page.on("console", lambda message: _note(message, problems))
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        title = page.locator(".info .title").inner_text()
    assert "IOP benefits verification" in title
    assert "/v1/verifications" in paths
    assert hosts == {urlsplit(base).netloc}
    assert problems == []


def _note(message: Any, problems: list[str]) -> None:
    # A script or style the policy blocked shows up as a console error.
    if message.type == "error":
        problems.append(message.text)
