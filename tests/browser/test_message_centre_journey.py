"""我的消息 after a decision, on a phone (390 px, as an enterprise opens a link from WeChat): the bureau returns an
application, the applicant finds it unread with the opinion, follows the link to the application, and the list no
longer shows it unread — without the page ever scrolling sideways."""

from pathlib import Path

import pytest

from tests.browser.test_identity_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

OPINION = "请在附件中补充近三年的纳税证明。"


MOBILE, PASSWORD = "13955551101", "Browser#2026m"


def _returned_by_the_bureau() -> int:
    """A new enterprise registers (its certification goes to review) and the city bureau returns it with an opinion;
    the worker's job is run here. Committed on a connection of its own, so the live server sees it."""
    from stdnum.cn import uscc

    from tenant_apps.onboarding.services import registration_account_create
    from tenant_apps.organisations.models import Membership
    from tenant_apps.workflow import services
    from tenant_apps.workflow.models import Task
    from tenant_apps.workflow.tasks import notify_applicant
    from tests.registration import mobile_code_for

    base = "91230100MA0000M11"
    _user, membership = registration_account_create(
        role="enterprise",
        username=None,
        mobile=MOBILE,
        mobile_code=mobile_code_for(MOBILE),
        password=PASSWORD,
        agreed=True,
        company={
            "name": "手机消息中心测试有限公司",
            "uscc": base + uscc.calc_check_digit(base),
            "contact_name": "王经理",
        },
    )
    task = Task.objects.get(application__applicant=membership.user, state=Task.State.OPEN)
    bureau = Membership.objects.get(user__username="hrb_bureau")
    services.task_decide(task_id=task.pk, membership=bureau, action="return", opinion=OPINION)
    notify_applicant(task.application.log.get(action="return").pk)
    return task.application_id


def _fits(page, name: str) -> None:
    """Nothing to scroll sideways; the screen is kept under var/screenshots/ for a reviewer."""
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0, name


def test_the_applicant_reads_the_return_on_a_phone(phone, live_url):
    from tests.threads import in_thread

    thread, outcome = in_thread(_returned_by_the_bureau, schema="harbin")
    thread.join()
    assert "error" not in outcome, outcome
    application = outcome["value"]
    harbin = live_url("harbin")
    sign_in(phone, harbin, MOBILE, PASSWORD)
    phone.goto(harbin + "/workbench/messages/")
    item = phone.locator("#message-list .message-item", has_text="退回修改")
    assert "is-unread" in item.get_attribute("class") and "未读" in item.inner_text()
    _fits(phone, "phone-message-centre-after-decision")
    item.locator("a.message-title").click()
    phone.wait_for_url("**/workbench/messages/*/")
    assert OPINION in phone.locator("#message").inner_text()
    _fits(phone, "phone-message-detail")
    phone.click("#message-link")
    phone.wait_for_url(f"**/workbench/applications/{application}/")
    phone.goto(harbin + "/workbench/messages/?status=unread")
    assert phone.locator("#message-list .message-item", has_text="退回修改").count() == 0
