"""A returned listing in real Chromium (issue #12): operations return a submitted solution with an opinion; the
provider reads the opinion, edits the draft (what was filled in is all still there), resubmits it, and it is back
in operations' inbox under its new name.

Screenshots under var/screenshots/ (listing-return-*.png)."""

import uuid

import pytest

from tests.browser.test_market_journey import _draft_listing, _open_from_inbox, _person, _submit
from tests.browser.test_ui_screens import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _returned() -> int:
    from tenant_apps.marketplace import listings
    from tenant_apps.workflow import services as engine
    from tenant_apps.workflow.models import Task
    from tests.test_market_listings import member

    listing_id = _draft_listing()
    version = listings.listing_submit(membership=member("nat_provider"), listing_id=listing_id)
    task = Task.objects.get(application_id=version.application_id, state=Task.State.OPEN)
    engine.task_decide(
        task_id=task.pk, membership=member("nat_ops"), action="return", opinion="请补充商品名称中的版本信息。"
    )
    return listing_id


def test_a_returned_listing_is_edited_and_resubmitted(browser, live_url):
    from tests.threads import in_thread

    thread, outcome = in_thread(_returned, schema="national")
    thread.join()
    assert "error" not in outcome, outcome
    listing_id = outcome["value"]
    national = live_url("national")
    new_name = f"浏览器旅程测试方案 V2.{uuid.uuid4().hex[:3]}"

    provider = _person(browser, national, "nat_provider")
    provider.goto(f"{national}/workbench/market/listings/{listing_id}/")
    provider.locator("#listing-state").wait_for()
    provider.locator("a", has_text="审核进度").first.click()
    provider.wait_for_selector("#returned-opinion")
    assert "请补充商品名称中的版本信息" in provider.locator("#returned-opinion").inner_text()
    shot(provider, "listing-return-1-opinion")
    provider.goto(f"{national}/workbench/market/listings/{listing_id}/")
    provider.click("#edit-listing")
    provider.wait_for_selector("#listing-form")
    name = provider.locator("#listing-form input[name=listing-name]")
    assert name.input_value().startswith("浏览器旅程测试方案")  # nothing filled in was lost
    name.fill(new_name)
    shot(provider, "listing-return-2-edit")
    _submit(provider, "#save-submit")
    provider.goto(f"{national}/workbench/market/listings/{listing_id}/")
    assert "审核中" in provider.locator("#listing-state").inner_text()
    assert new_name in provider.locator("#preview").inner_text()

    ops = _person(browser, national, "nat_ops")
    _open_from_inbox(ops, national, new_name)
    assert "运营初审" in ops.locator("#application-facts").inner_text()
    assert new_name in ops.locator(".content").inner_text()
    shot(ops, "listing-return-3-back-in-the-inbox")
