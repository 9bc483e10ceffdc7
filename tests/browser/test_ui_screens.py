"""The UI kit in real Chromium: phone-width pages without horizontal scrolling, the side menu by role, the role
switcher, and no serious or critical accessibility violations (axe-core, bundled by axe-playwright-python).

Screenshots of the main pages are kept under var/screenshots/ (phone-*.png, desktop-*.png) for a reviewer to look
at after a run."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.browser.conftest import captcha_answer
from tests.browser.test_identity_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: nothing to scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def wide_elements(page) -> list[str]:
    """What sticks out on the right, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'))"""
    )


def _application_of(schema: str, username: str):
    from django_tenants.utils import schema_context

    from tenant_apps.organisations.models import Membership
    from tenant_apps.workflow.selectors import my_applications

    with schema_context(schema):
        return my_applications(Membership.objects.get(user__username=username)).first()


def assert_fits(page, name: str) -> None:
    shot(page, name)
    assert horizontal_overflow(page) <= 0, (name, wide_elements(page))


def test_public_pages_fit_a_phone(phone, live_url):
    harbin = live_url("harbin")
    for path, name in [
        ("/", "phone-portal-home"),
        ("/accounts/login/", "phone-sign-in"),
        ("/register/", "phone-register"),
    ]:
        phone.goto(harbin + path)
        assert_fits(phone, name)
    # The header's menu is folded behind one button and opens on a tap.
    phone.goto(harbin + "/")
    menu = phone.locator(".site-header .menu")
    assert not menu.is_visible()
    phone.click(".site-header [data-nav-toggle]")
    assert menu.is_visible() and phone.locator(".site-header .menu a", has_text="入库申请").is_visible()
    assert_fits(phone, "phone-portal-menu-open")
    phone.goto(live_url("jiangmen") + "/register/")  # company fields and the +86 prefix
    assert phone.locator('[data-field="mobile"] .input-prefix').inner_text() == "+86"
    assert_fits(phone, "phone-register-jiangmen")


def test_workbench_pages_fit_a_phone(phone, live_url):
    jiangmen = live_url("jiangmen")
    sign_in(phone, jiangmen, "jm_returned")
    assert_fits(phone, "phone-workbench-home")
    # The side menu is a drawer behind ☰.
    sidebar = phone.locator("#wb-sidebar")
    assert sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 0
    phone.click(".wb-header [data-nav-toggle]")
    phone.wait_for_function("() => document.querySelector('#wb-sidebar').getBoundingClientRect().left >= 0")
    assert phone.locator(".wb-backdrop").is_visible()
    assert phone.locator(".wb-header [data-nav-toggle]").get_attribute("aria-expanded") == "true"
    phone.screenshot(path=str(SCREENSHOTS / "phone-workbench-menu-open.png"))  # the drawer as the phone shows it
    phone.keyboard.press("Escape")
    phone.wait_for_function("() => document.querySelector('#wb-sidebar').getBoundingClientRect().right <= 0")
    assert not phone.locator(".wb-backdrop").is_visible()

    phone.goto(jiangmen + "/workbench/inbox/?tab=mine")
    assert_fits(phone, "phone-my-applications")
    # Tables are cards on phones: each value under its column's label, nothing broken character by character.
    cell = phone.locator("#my-applications td.cell-state").first
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"状态"'
    tag = cell.locator(".tag")
    assert tag.inner_text() == "已退回" and tag.bounding_box()["height"] < 30  # one line

    application = _application_of("jiangmen", "jm_returned")
    phone.goto(f"{jiangmen}/workbench/applications/{application.pk}/")
    assert "请补充详细地址" in phone.locator("#returned-opinion").inner_text()
    assert_fits(phone, "phone-application-detail")

    for path, name in [
        ("/workbench/enterprise/", "phone-my-enterprise"),
        ("/workbench/accounts/", "phone-sub-accounts"),
        ("/accounts/security/", "phone-account-security"),
    ]:
        phone.goto(jiangmen + path)
        assert_fits(phone, name)

    phone.goto(jiangmen + "/workbench/messages/")
    if phone.locator("#message-list").count():  # the message centre, where it is installed
        assert_fits(phone, "phone-message-centre")


def side_menu(page) -> dict[str, list[str]]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.side-group')].map(group => [
            group.querySelector('.side-group-title').innerText.trim(),
            [...group.querySelectorAll('.side-label')].map(label => label.innerText.trim())]))"""
    )


@pytest.mark.parametrize(
    ("username", "present", "absent"),
    [
        ("hrb_pending", {"工作台": ["工作台首页", "我的待办", "我的消息"], "我的单位": ["我的企业"]}, ["城市管理"]),
        ("hrb_bureau", {"业务办理": ["入库申请", "资金申请"]}, ["我的单位", "城市管理"]),
        ("hrb_admin", {"城市管理": ["初始化清单", "城市管理后台", "内容管理"]}, ["我的单位"]),
    ],
)
def test_side_menu_follows_the_roles(page, live_url, username, present, absent):
    harbin = live_url("harbin")
    sign_in(page, harbin, username)
    menu = side_menu(page)
    for group, labels in present.items():
        assert group in menu, menu
        assert all(label in menu[group] for label in labels), menu
    for group in absent:
        assert group not in menu, menu
    assert page.locator(".side-item.is-active").inner_text().strip() == "工作台首页"
    # An enterprise is never shown 待我审批; reviewers (the city admin assigns experts) see it first.
    counts = page.locator("#home-counts").inner_text()
    assert ("待我审批" in counts) == (username != "hrb_pending")
    shot(page, f"desktop-workbench-{username}")
    page.goto(harbin + "/workbench/inbox/")
    assert page.locator(".side-item.is-active").inner_text().strip() == "我的待办"


def test_role_switcher_lists_the_persons_other_cities(page, live_url, settings):
    harbin = live_url("harbin")
    settings.PUBLIC_PORT = str(urlparse(harbin).port)  # the links name the live server's port
    sign_in(page, harbin, "zhang_expert")  # an expert in Harbin and in the national platform, not in Jiangmen
    switcher = page.locator(".role-switcher")
    assert "专家" in switcher.locator("summary").inner_text()
    switcher.locator("summary").click()
    cities = page.locator("#role-cities a")
    assert cities.count() == 1
    assert cities.first.get_attribute("data-city") == "national"
    shot(page, "desktop-role-switcher")
    cities.first.click()
    page.wait_for_load_state()
    address = urlparse(page.url)
    assert address.hostname == "national.localhost" and address.path == "/accounts/login/"  # sessions are per host
    assert "next=/workbench/" in page.url


def test_desktop_screens_of_the_main_pages(page, live_url):
    page.set_viewport_size({"width": 1366, "height": 900})
    harbin = live_url("harbin")
    page.goto(harbin + "/")
    shot(page, "desktop-portal-home")
    page.goto(harbin + "/notices/")
    page.fill("main #q", "数字化")
    page.click("main form[role=search] button[type=submit]")
    assert page.locator("main mark").count() >= 1  # matches are highlighted
    shot(page, "desktop-column-search")
    page.locator(".feed a").first.click()
    page.click("[data-set-font-size=large]")
    assert page.locator("article").get_attribute("data-font-size") == "large"
    shot(page, "desktop-article")
    page.emulate_media(media="print")  # printed: the article alone, at a print size
    assert not page.locator(".site-header").is_visible() and not page.locator(".article-tools").is_visible()
    assert page.locator(".article .prose").evaluate("el => getComputedStyle(el).fontSize") == "16px"  # 12pt
    shot(page, "print-article")
    page.emulate_media(media="screen")
    page.goto(harbin + "/accounts/login/")
    shot(page, "desktop-sign-in")
    page.goto(harbin + "/register/")
    shot(page, "desktop-register")
    page.goto(harbin + "/no-such-page/")
    assert "页面不存在" in page.locator("h1").inner_text()
    shot(page, "desktop-404")
    sign_in(page, harbin, "hrb_bureau")
    page.goto(harbin + "/workbench/inbox/")
    shot(page, "desktop-inbox")
    # The date range opens a Chinese calendar (vendored flatpickr, zh) and fills YYYY-MM-DD, as the server reads it.
    page.click("#id_start")
    calendar = page.locator(".flatpickr-calendar.open")
    assert calendar.locator(".flatpickr-weekday").first.inner_text().strip() == "周一"  # weeks start on Monday
    shot(page, "desktop-inbox-date-picker")
    calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text="15").first.click()
    assert re.fullmatch(r"\d{4}-\d{2}-15", page.input_value("#id_start"))
    page.keyboard.press("Escape")
    page.locator("#tasks tr", has_text="哈尔滨示例锅炉辅机有限公司").locator("text=详情").click()
    assert page.locator("#decide").count() == 1
    shot(page, "desktop-application-detail")


def test_the_captcha_refreshes_in_place(page, live_url):
    page.goto(live_url("harbin") + "/accounts/login/")
    key = page.locator('input[name="pw-captcha_0"]')
    before = key.input_value()
    page.click("#password-login [data-captcha-refresh]")
    page.wait_for_function(f"() => document.querySelector('input[name=\"pw-captcha_0\"]').value !== '{before}'")
    page.fill("#id_pw-identifier", "hrb_enterprise")
    from tenants.services import DEMO_PASSWORD

    page.fill("#id_pw-password", DEMO_PASSWORD)
    page.fill("#id_pw-captcha_1", captcha_answer(page, "pw"))  # the new picture's answer signs in
    page.click("#password-login button[type=submit]")
    page.wait_for_url("**/workbench/")


def test_destructive_actions_ask_in_a_dialog(page, live_url):
    harbin = live_url("harbin")
    sign_in(page, harbin, "hrb_pending")
    application = _application_of("harbin", "hrb_pending")
    page.goto(f"{harbin}/workbench/applications/{application.pk}/")
    page.click("#withdraw button[type=submit]")
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible() and "确定撤销该申请吗" in dialog.inner_text()
    shot(page, "desktop-confirm-dialog")
    page.click("#confirm-dialog [data-confirm-cancel]")  # 取消: nothing is sent
    assert not dialog.is_visible()
    assert page.locator("#application-state").inner_text() == "审核中"


AXE_PAGES = [
    ("harbin", None, "/"),
    ("harbin", None, "/accounts/login/"),
    ("harbin", None, "/register/"),
    ("harbin", "hrb_bureau", "/workbench/inbox/"),
    ("harbin", "hrb_bureau", "application"),
]


@pytest.mark.parametrize(("schema", "username", "path"), AXE_PAGES)
def test_no_serious_or_critical_accessibility_violations(page, live_url, schema, username, path):
    from axe_playwright_python.sync_playwright import Axe

    base = live_url(schema)
    if username:
        sign_in(page, base, username)
    if path == "application":
        application = _application_of(schema, "hrb_pending")
        path = f"/workbench/applications/{application.pk}/"
    page.goto(base + path)
    results = Axe().run(page)
    bad = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not bad, "\n".join(bad)


def test_the_certification_form_fits_a_phone(phone, live_url):
    """A newly registered Harbin enterprise fills 企业认证: field groups, required marks, a Chinese date, the save bar
    kept in view."""
    from tests.threads import in_thread

    def register():  # committed on its own connection, so the live server sees it
        from tenant_apps.onboarding.services import registration_account_create
        from tests.registration import mobile_code_for

        registration_account_create(
            role="enterprise",
            username="browser_ui_cert",
            mobile="13955551801",
            mobile_code=mobile_code_for("13955551801"),
            password="Browser#2026x",
            agreed=True,
        )

    thread, outcome = in_thread(register, schema="harbin")
    thread.join()
    assert "error" not in outcome, outcome
    harbin = live_url("harbin")
    sign_in(phone, harbin, "browser_ui_cert", "Browser#2026x")
    phone.goto(harbin + "/workbench/enterprise/")
    form = phone.locator("#certification-form")
    assert [legend.strip() for legend in form.locator("legend").all_inner_texts()] == [
        "企业信息",
        "联系方式",
        "企业简介",
    ]
    assert form.locator('[data-field="cert-company_name"] .req').count() == 1
    phone.fill("#id_cert-founded_on", "2018-05-20")
    phone.tap("h1")  # a tap away from the calendar closes it and keeps what was typed
    assert not phone.locator(".flatpickr-calendar.open").count()
    assert phone.input_value("#id_cert-founded_on") == "2018-05-20"
    assert phone.locator("#certification-form .form-actions.sticky").is_visible()  # the submit bar stays in view
    assert_fits(phone, "phone-certification-form")
