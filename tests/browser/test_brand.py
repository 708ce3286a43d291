"""The worksheet in the browser: the intention bar follows what is typed, the worksheet
saves, and on a phone nothing runs off the side of the page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_the_intention_bar_adds_up_while_typing(page: Any, live_server: Any) -> None:
    log_in(page, live_server, live_server.employee)
    page.get_by_role("link", name="My brand", exact=True).first.click()
    page.get_by_role("link", name="Worksheet", exact=True).click()
    total = page.locator(".intention-total")
    expect(total).to_have_text("Together: 0 %")
    for label, value in (("Educate", "40"), ("Inform", "30"), ("Inspire", "20")):
        page.get_by_label(label, exact=True).fill(value)
    expect(total).to_have_text("Together: 90 %")
    expect(total).to_have_class("intention-total off")
    width = page.locator(".intention-bar .educate").evaluate("e => e.style.width")
    assert width == "40%"
    page.get_by_label("Entertain", exact=True).fill("10")
    expect(total).to_have_text("Together: 100 %")
    expect(total).to_have_class("intention-total")

    page.get_by_role("row").nth(1).get_by_role("textbox").first.fill("Cloud")
    page.get_by_label("Hashtags for topic 1").fill("cloud, ##KI")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(page.get_by_label("Hashtags for topic 1")).to_have_value("#cloud #KI")
    expect(total).to_have_text("Together: 100 %")


@pytest.mark.parametrize("path", ["/brand/overview", "/brand/", "/brand/helpers"])
def test_brand_pages_fit_a_phone(new_page: Any, live_server: Any, path: str) -> None:
    page = new_page(viewport={"width": 375, "height": 740}, has_touch=True)
    log_in(page, live_server, live_server.employee)
    page.goto(live_server.url + path)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
