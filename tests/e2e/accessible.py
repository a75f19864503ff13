"""Accessibility checks the browser tests run on every page: axe-core (from npm, installed by
`npm ci --prefix tests/e2e`) with zero violations, and a keyboard walk that reaches every
control with Tab alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.2 A and AA rules plus axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `npm ci --prefix tests/e2e` (make test does)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return list(result["violations"])


def assert_accessible(page: Any) -> None:
    """Zero axe-core violations, each reported with the elements it found."""
    violations = axe_violations(page)
    report = [
        {
            "rule": v["id"],
            "help": v["help"],
            "nodes": [node["target"] for node in v["nodes"]][:5],
        }
        for v in violations
    ]
    assert violations == [], f"{page.url}: {json.dumps(report, indent=1)}"


_CONTROLS = """() => Array.from(document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]'))
  .filter((el) => !el.disabled && el.offsetParent !== null)
  .map((el) => el.outerHTML.slice(0, 120))"""
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {html: el.outerHTML.slice(0, 120), ring: ring || style.boxShadow !== 'none'};
}"""


def assert_keyboard_reaches_everything(page: Any) -> None:
    """Tab from the top of the page reaches every visible control, each showing where the focus
    is, and no control traps the focus."""
    wanted = page.evaluate(_CONTROLS)
    reached: list[str] = []
    wrapped = False  # past the last control, the focus leaves the page, then starts at the top
    # A date field takes a Tab per part (month, day, year): hence the room to spare.
    for _ in range(3 * len(wanted) + 10):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None:
            if wrapped:
                break
            wrapped = True
            continue
        if wrapped and focused["html"] in reached:
            break
        assert focused["ring"], f"no visible focus on {focused['html']}"
        if not reached or reached[-1] != focused["html"]:
            reached.append(focused["html"])
    missing = [html for html in wanted if html not in reached]
    assert missing == [], f"{page.url}: Tab never reaches {missing}"
