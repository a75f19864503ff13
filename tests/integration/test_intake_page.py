"""The public intake page is served only with a page key that may submit intake forms."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from verifier.services.keys import create_key, revoke_key

SITE = "https://www.example-recovery.org"


def test_the_page_is_served_with_an_active_intake_key_and_frames_only_for_its_site(
    make_app: Callable[..., Flask],
) -> None:
    services = make_app().extensions["verifier"]
    form = create_key(services.keys, services.service.clock, "form", ["intake:submit"], [SITE])
    page = make_app(INTAKE_PAGE_KEY=form.token).test_client().get("/intake")
    assert page.status_code == 200
    assert f'data-key="{form.token}"' in page.get_data(as_text=True)
    assert f"frame-ancestors 'self' {SITE}" in page.headers["Content-Security-Policy"]


def test_a_page_key_that_may_not_submit_intake_or_is_revoked_disables_the_page(
    make_app: Callable[..., Flask],
) -> None:
    services = make_app().extensions["verifier"]
    reader = create_key(services.keys, services.service.clock, "CRM", ["verifications:read"])
    gone = create_key(services.keys, services.service.clock, "old form", ["intake:submit"])
    revoke_key(services.keys, services.service.clock, gone.key.id)
    for token in (reader.token, gone.token):
        page = make_app(INTAKE_PAGE_KEY=token).test_client().get("/intake")
        assert page.status_code == 503
        assert "data-key" not in page.get_data(as_text=True)
