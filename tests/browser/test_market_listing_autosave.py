"""The listing edit page's draft auto-save (issue #12) in real Chromium: the provider types a new name into an
existing draft, the status line reports "已自动保存", a reload shows the new name, and the final 保存草稿 is not
refused as stale (the page's hidden version followed the auto-save)."""

import pytest

from tests.browser.test_identity_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

NAME = "自动保存浏览器测试方案"
NEW_NAME = "自动保存后的方案名称"


def _draft_listing() -> int:
    """A draft of the demo provider, made through the service on a committed connection (the live server sees it)."""
    from tenant_apps.marketplace import listings
    from tenant_apps.marketplace.models import Catalogue
    from tests.test_market_listings import member

    version = listings.listing_create(
        membership=member("nat_provider"),
        data={"name": NAME, "catalogue": Catalogue.objects.order_by("pk").values_list("pk", flat=True).first()},
    )
    return version.listing_id


def test_the_provider_types_and_the_draft_is_saved_in_the_background(browser, live_url):
    from playwright.sync_api import expect

    from tests.threads import in_thread

    thread, outcome = in_thread(_draft_listing, schema="national")
    thread.join()
    assert "error" not in outcome, outcome
    listing_id = outcome["value"]
    national = live_url("national")

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, national, "nat_provider")
        edit = f"{national}/workbench/market/listings/{listing_id}/edit/"
        page.goto(edit)
        status = page.locator("#draft-status")
        expect(status).to_have_attribute("aria-live", "polite")
        expect(status).to_have_text("")
        version = page.locator('input[name="listing-version"]')
        before = int(version.input_value())

        page.fill("#id_listing-name", NEW_NAME)  # no click on any button: the page saves by itself
        expect(status).to_contain_text("已自动保存")
        assert int(version.input_value()) == before + 1  # the page follows the saved version

        page.reload()
        expect(page.locator("#id_listing-name")).to_have_value(NEW_NAME)

        # Typing again, then 保存草稿 at once: the pending auto-save is dropped, the click carries the current version.
        page.fill("#id_listing-related_product", "智维云")
        with page.expect_navigation():
            page.click("#save-draft")
        expect(page.locator("body")).to_contain_text("草稿已保存")
        expect(page.locator("#id_listing-related_product")).to_have_value("智维云")
        expect(page.locator("#id_listing-name")).to_have_value(NEW_NAME)
    finally:
        context.close()
