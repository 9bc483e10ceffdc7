"""A new city from the national console, in real Chromium: national staff sign in through the console's sign-in page
(image captcha) and create the city; its first administrator reads the one-time link in the SMS, opens it on the
city's own host in another browser, sets a password and lands on the setup checklist with what is still missing;
the link does not work a second time, the password does.

The live server commits, so the city (Tenant and Domain rows, its cloned schema) and the people and messages around
it outlive the test. The `new_city` fixture removes all of it afterwards — also when the test fails half-way — so the
session's other tests still count three preset cities."""

import re
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import captcha_answer
from tests.browser.test_ui_screens import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCHEMA = "shuangyashan"
CITY = {
    "name": "双鸭山市中小企业数字化转型城市试点",
    "schema_name": SCHEMA,
    "preset": "jiangmen",  # ecosystem: the checklist asks for anchor units, which another city's preset never brings
    "authority": "双鸭山市工业和信息化局",
    "pilot_start": "2026-03-01",
    "pilot_end": "2028-02-29",
    "admin_name": "双鸭山管理员",
    "admin_mobile": "13700009301",
}
STAFF = {"username": "console_browser_staff", "mobile": "13800009301", "password": "Console#2026"}
ADMIN_PASSWORD = "Ssy#Admin2026"


def _end_sessions_locking(schema: str) -> None:
    """`DROP SCHEMA` waits for every transaction that touched one of the schema's tables. The live server's pooled
    connections hold no locks while idle; a request thread still inside a transaction would, and the drop would wait
    for ever. End exactly those backends (the pool discards a broken connection when it comes back)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT l.pid FROM pg_locks l"
            " JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND l.pid <> pg_backend_pid()",
            [schema],
        )
        for (pid,) in cursor.fetchall():
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def city_remove(schema: str, *, mobiles: list[str], usernames: list[str]) -> None:
    """Undo a committed city and the identities made for it: the public rows about it (SMS, security events, audit
    entries — append-only, so under `prune_allowed`), the Tenant row with its schema (`delete(force_drop=True)`; the
    model keeps `auto_drop_schema = False` so nothing in the product drops a schema by accident), then the
    identities. One transaction: all of it or none."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Q
    from django_tenants.utils import schema_context, schema_exists

    from shared_apps.accounts.models import SecurityEvent, SmsCode, SmsMessage
    from shared_apps.oversight.models import AuditEntry
    from tenants.append_only import prune_allowed
    from tenants.models import Tenant

    connection.set_schema_to_public()
    users = list(get_user_model().objects.filter(Q(mobile__in=mobiles) | Q(username__in=usernames)))
    _end_sessions_locking(schema)
    with transaction.atomic():
        with connection.cursor() as cursor:  # a lock we did not foresee fails the test instead of hanging the suite
            cursor.execute("SET LOCAL lock_timeout = '20s'")
        with prune_allowed():
            SmsMessage.objects.filter(Q(schema_name=schema) | Q(mobile__in=mobiles)).delete()
            SmsCode.objects.filter(Q(schema_name=schema) | Q(mobile__in=mobiles)).delete()
            SecurityEvent.objects.filter(Q(schema_name=schema) | Q(user__in=users)).delete()
            AuditEntry.objects.filter(Q(schema_name=schema) | Q(actor__in=users)).delete()
        tenant = Tenant.objects.filter(schema_name=schema).first()
        if tenant is not None:
            tenant.delete(force_drop=True)  # its domain, invitations and figures cascade
        # The deletion follows links into tenant tables; with the city's schema gone, the template's (no rows) has
        # them. In the city itself a membership protects its person: the product never erases a member.
        with schema_context(settings.TENANT_BASE_SCHEMA):
            for user in users:
                user.delete()
        connection.set_schema_to_public()
    assert not schema_exists(schema)


def committed(work):
    """Run `work()` on a connection of its own, outside the test's transaction: committed, as the live server's
    writes are, and visible to it."""
    from tests.threads import in_thread

    thread, outcome = in_thread(work, schema="public")
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def new_city(live_url, browser):
    """The console staff member to create the city with; afterwards the city and everyone made for it are gone.
    Yields the list of browser contexts the test opens: they are closed before the schema is dropped."""
    from django.contrib.auth import get_user_model

    from tenants.models import Tenant

    def remove():
        city_remove(SCHEMA, mobiles=[CITY["admin_mobile"], STAFF["mobile"]], usernames=[STAFF["username"]])

    committed(remove)  # a run killed half-way may have left it behind
    counted = Tenant.objects.count()
    committed(
        lambda: get_user_model().objects.create_user(
            STAFF["username"], mobile=STAFF["mobile"], password=STAFF["password"], is_national_staff=True
        )
    )
    contexts = []
    yield contexts
    for context in contexts:  # no browser still talking to the city when its schema goes
        context.close()
    committed(remove)
    assert Tenant.objects.count() == counted
    assert not get_user_model().objects.filter(mobile__in=[CITY["admin_mobile"], STAFF["mobile"]]).exists()


def _context(browser, contexts):
    context = browser.new_context(locale="zh-CN")
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _sign_in(page, base: str, identifier: str, password: str, landing: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_pw-identifier", identifier)
    page.fill("#id_pw-password", password)
    page.fill("#id_pw-captcha_1", captcha_answer(page, "pw"))
    page.click("#password-login button[type=submit]")
    page.wait_for_url(base + landing)


def test_console_creates_a_city_and_its_administrator_sets_up_through_the_one_time_link(
    new_city, browser, live_url, settings
):
    settings.PLATFORM_SMS_OUTBOX_VISIBLE = True  # the administrator's phone: the outbox page of the city's host
    console, city = live_url(None), live_url(SCHEMA)

    # National staff: the console's own sign-in, then the form.
    staff = _context(browser, new_city)
    _sign_in(staff, console, STAFF["username"], STAFF["password"], "/")
    assert staff.locator(f'#console-cities tr[data-schema="{SCHEMA}"]').count() == 0
    staff.goto(console + "/tenants/new/")
    form = staff.locator("#tenant-create-form")
    for field, value in CITY.items():
        if field == "preset":
            form.locator("#id_preset").select_option(value)
        else:
            form.locator(f"#id_{field}").fill(value)
    form.locator("button[type=submit]").click()
    staff.wait_for_url(console + "/", timeout=60_000)  # cloning the schema takes seconds
    toast = staff.locator("#toasts .toast-success").inner_text()
    assert f"已创建 {CITY['name']}" in toast
    assert f"已向城市管理员 {CITY['admin_mobile']} 发送设置密码的一次性链接" in toast
    row = staff.locator(f'#console-cities tr[data-schema="{SCHEMA}"]')
    assert CITY["name"] in row.inner_text()
    shot(staff, "desktop-console-city-created")

    # The administrator, in a browser of their own: the link arrives by SMS and names the city's host.
    admin = _context(browser, new_city)
    admin.goto(city + "/accounts/dev/sms-outbox/")
    text = admin.locator("tr.sms", has_text=CITY["admin_mobile"]).first.locator(".text").inner_text()
    assert CITY["name"] in text and "仅可使用一次" in text
    link = urlparse(re.search(r"https?://\S+/accounts/invitation/\S+/", text).group(0))
    assert link.hostname == f"{SCHEMA}.localhost"
    invitation = city + link.path
    admin.goto(invitation)
    assert admin.locator("#invitee-username").inner_text() == CITY["admin_mobile"]
    assert CITY["name"] in admin.locator("#invitation-intro").inner_text()

    # Outside the password policy: refused next to the field, the link still works.
    admin.fill("#id_new_password1", "short")
    admin.fill("#id_new_password2", "short")
    admin.click(".auth-card form button[type=submit]")
    errors = admin.locator('[data-field="new_password1"] .field-error').all_inner_texts()
    assert "密码长度须为 8–20 位。" in errors  # the policy of the preset the city came from
    admin.fill("#id_new_password1", ADMIN_PASSWORD)
    admin.fill("#id_new_password2", ADMIN_PASSWORD)
    admin.click(".auth-card form button[type=submit]")

    # Signed in, on the checklist: the preset brought industries and review chains, not the city's own things.
    admin.wait_for_url(city + "/workbench/setup/")
    states = {
        row.get_attribute("data-item"): row.get_attribute("data-state")
        for row in admin.locator("#setup-checklist tbody tr").all()
    }
    assert states["industries"] == "done" and states["flows"] == "done"
    assert states["anchor_units"] == "missing"  # the ecosystem module needs them; Jiangmen's stay in Jiangmen
    assert states["branding"] == "missing"
    assert states["windows"] == "optional"
    missing = admin.locator("#setup-missing").inner_text()
    assert f"还有 {list(states.values()).count('missing')} 项必需的配置未完成" in missing
    anchor_units = admin.locator('#setup-checklist tr[data-item="anchor_units"]').inner_text()
    assert "牵引单位" in anchor_units and "尚未设置牵引单位" in anchor_units and "缺失" in anchor_units
    branding = admin.locator('#setup-checklist tr[data-item="branding"]').inner_text()
    assert "缺少：标志、联系方式、ICP 备案号" in branding  # the authority came from the console
    shot(admin, "desktop-new-city-setup-checklist")

    # Once only: the link is refused afterwards, in this browser and in any other.
    admin.goto(invitation)
    assert "已使用过" in admin.locator("#invitation-refused").inner_text()
    assert admin.locator("#id_new_password1").count() == 0
    other = _context(browser, new_city)
    response = other.goto(invitation)
    assert response.status == 409 and "已使用过" in other.locator("#invitation-refused").inner_text()

    # The password set through the link signs in on the city's sign-in page; the workbench shows the setup card.
    _sign_in(other, city, CITY["admin_mobile"], ADMIN_PASSWORD, "/workbench/")
    assert "待配置" in other.locator("#setup-card").inner_text()
    other.click("#setup-card a.button")
    other.wait_for_url(city + "/workbench/setup/")
    shot(other, "desktop-new-city-workbench-setup")
