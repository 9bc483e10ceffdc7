"""Service vouchers (issue #13) in real Chromium: an enterprise grabs a 30,000.00 voucher on the activity page, buys a
50,000.00 solution and sees 15,000.00 deducted (本单最高可抵扣 30%) and 35,000.00 to pay, uploads the payment proof;
operations reject the proof (驳回), the order closes and the voucher's balance is 30,000.00 again, with the deduction
and its refund in the voucher's history; the provider sees the voucher on its order.

Screenshots under var/screenshots/ (voucher-journey-*.png)."""

import datetime
import re
import uuid

import pytest

from tests.browser.test_identity_journeys import sign_in
from tests.browser.test_market_journey import PDF, _open_from_inbox, _submit
from tests.browser.test_ui_screens import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _world() -> tuple[int, int, int]:
    """A 50,000.00 solution of nat_provider on sale and an activity with a 30,000.00 grab voucher (committed)."""
    from django.utils import timezone

    from tenant_apps.organisations.models import Membership
    from tenant_apps.vouchers import activities
    from tests.test_market_orders import _listing

    provider = Membership.objects.select_related("organisation", "user").get(user__username="nat_provider")
    ops = Membership.objects.select_related("user").get(user__username="nat_ops")
    tag = uuid.uuid4().hex[:4]
    listing = _listing(provider, f"旅程整厂数字化改造{tag}", [("整体交付", "quantity", "50000.00")])
    now = timezone.now()
    activity = activities.activity_save(
        actor=ops.user,
        data={
            "name": f"旅程测试服务券活动{tag}",
            "description": "浏览器旅程测试。",
            "starts_at": now - datetime.timedelta(hours=1),
            "ends_at": now + datetime.timedelta(days=10),
        },
    )
    vtype = activities.type_save(
        activity=activity,
        data={"name": "旅程创新服务券", "face_value": "30000.00", "method": "grab", "valid_days": 30, "stock_total": 3},
    )
    activities.activity_publish(activity=activity, published=True)
    return listing.pk, activity.pk, vtype.pk


def _person(browser, base, username):
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, username)
    return page


def test_grab_deduct_thirty_percent_and_a_rejected_proof_restores_the_balance(browser, live_url):
    from tests.threads import in_thread

    thread, outcome = in_thread(_world, schema="national")
    thread.join()
    assert "error" not in outcome, outcome
    listing_id, activity_id, type_id = outcome["value"]
    national = live_url("national")

    # 1. The enterprise grabs the voucher on the activity's page.
    buyer = _person(browser, national, "nat_enterprise")
    buyer.goto(f"{national}/workbench/vouchers/activities/{activity_id}/")
    card = buyer.locator(f".voucher-type[data-type='{type_id}']")
    assert "30,000.00" in card.inner_text() and "剩余 3 / 3" in card.inner_text()
    shot(buyer, "voucher-journey-1-activity")
    _submit(buyer, f"#grab-{type_id} button[type=submit]")
    buyer.wait_for_selector("#voucher-got")
    assert "剩余 2 / 3" in buyer.locator(f".voucher-type[data-type='{type_id}']").inner_text()
    assert "已领取 1 张" in buyer.locator(f".voucher-type[data-type='{type_id}']").inner_text()
    with buyer.expect_navigation():
        buyer.click("#voucher-got a")
    voucher_url = buyer.url
    assert buyer.locator("#voucher-balance").inner_text() == "30,000.00"

    # 2. Buy the 50,000.00 solution: the new voucher is offered first and takes the 30 % cap.
    buyer.goto(f"{national}/market/p/{listing_id}/")
    buyer.click("#product-buy button[data-action=buy]")
    buyer.wait_for_selector("#confirm-order")
    choice = buyer.locator("fieldset.voucher-choice")
    assert "本单最高可抵扣 30%" in choice.inner_text()
    checked = choice.locator("input[type=radio]:checked")
    assert "旅程创新服务券" in checked.locator("xpath=..").inner_text()
    assert buyer.locator(".order-total").inner_text() == "50,000.00"
    assert buyer.locator(".order-deduction").inner_text() == "−15,000.00"
    assert buyer.locator(".order-payable").inner_text() == "35,000.00"
    shot(buyer, "voucher-journey-2-confirm-deduction")
    _submit(buyer, "#confirm-order button[type=submit]")
    assert buyer.locator("#order-state").inner_text() == "待支付"
    assert buyer.locator("#order-deduction").inner_text() == "−15,000.00"
    assert buyer.locator("#order-payable").inner_text() == "35,000.00"
    assert "旅程创新服务券" in buyer.locator("#order-vouchers").inner_text()
    buyer.goto(voucher_url)
    assert buyer.locator("#voucher-balance").inner_text() == "15,000.00"

    # 3. The buyer uploads the proof; operations reject it (驳回) from the inbox.
    buyer.go_back()
    buyer.wait_for_selector("#proof-upload")
    buyer.set_input_files(
        "#proof-upload input[type=file]", files=[{"name": "转账凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    buyer.click("#proof-upload button[type=submit]")
    buyer.wait_for_selector("#proof-files")
    number = re.search(r"订单\s*(\S+)", buyer.locator("h1").inner_text()).group(1)
    order_url = buyer.url
    ops = _person(browser, national, "nat_ops")
    _open_from_inbox(ops, national, number)
    assert "35000.00" in ops.locator(".content").inner_text()
    ops.check("#decide input[value=reject]")
    ops.fill("#decide textarea", "转账金额与应付金额不符，订单关闭。")
    shot(ops, "voucher-journey-3-ops-reject")
    _submit(ops, "#decide button[type=submit]")
    assert ops.locator("#application-state").inner_text() == "已驳回"

    # 4. The order is closed and the voucher whole again, its history telling why.
    buyer.goto(order_url)
    assert buyer.locator("#order-state").inner_text() == "已取消"
    assert "已退回" in buyer.locator("#order-vouchers").inner_text()
    buyer.goto(voucher_url)
    assert buyer.locator("#voucher-balance").inner_text() == "30,000.00"
    history = buyer.locator("#voucher-history").inner_text()
    assert "发放" in history and "抵扣" in history and "退回" in history and number in history
    shot(buyer, "voucher-journey-4-balance-restored")

    # 5. The provider sees the voucher used on its order, marked returned.
    provider = _person(browser, national, "nat_provider")
    provider.goto(f"{national}/workbench/vouchers/usage/")
    row = provider.locator("tr", has_text=number)
    assert "旅程创新服务券" in row.inner_text() and "15,000.00" in row.inner_text()
    shot(provider, "voucher-journey-5-provider-usage")
