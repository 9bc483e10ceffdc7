"""Steps every review journey takes in Chromium: a person signed in on a page of their own, a posting button, the
inbox's 详情, a decision on the application page and the facts it shows."""

from __future__ import annotations

from tests.browser.test_identity_journeys import sign_in


def person(browser, base, username, password=None, **context):
    page = browser.new_context(locale="zh-CN", **context).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, username, password)
    return page


def submit(page, selector):
    """Press a button that posts its form (no file chosen: an ordinary post) and wait for the answer page."""
    with page.expect_navigation():
        page.click(selector)


def open_from_inbox(page, base, text):
    page.goto(base + "/workbench/inbox/")
    page.locator("tr", has_text=text).first.locator("text=详情").click()
    page.wait_for_selector("#application-state")


def decide(page, action="approve", opinion=""):
    page.check(f"#decide input[value={action}]")
    if opinion:
        page.fill("#decide textarea", opinion)
    submit(page, "#decide button[type=submit]")


def stage(page) -> str:
    return page.locator("#application-facts").inner_text()
