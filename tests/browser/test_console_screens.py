"""The national console on a phone (390 px), in real Chromium: its tables are drawn as the workbench's are — one card
per row, each value under its column's label — so nothing scrolls sideways. Screenshots go to var/screenshots/."""

import pytest

from tests.browser.conftest import captcha_answer
from tests.browser.test_ui_screens import assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STAFF = {"username": "browser_console_phone", "mobile": "13800009302", "password": "Console#2026p"}

# Per card: the label each cell shows before its value (CSS ::before from data-label), whether that label is drawn,
# and the table's header texts to compare with.
CARDS = """table => ({
  headers: [...table.querySelectorAll('thead th')].map(th => th.textContent.trim()),
  rows: [...table.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => {
    const before = getComputedStyle(td, '::before');
    return {
      label: td.dataset.label,
      drawn: before.display !== 'none' ? before.content : null,
      primary: td.classList.contains('cell-primary'),
      width: td.getBoundingClientRect().width,
    };
  })),
  tableDisplay: getComputedStyle(table).display,
  headVisible: table.querySelector('thead').getBoundingClientRect().height > 0,
})"""


def _staff() -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if not User.objects.filter(username=STAFF["username"]).exists():
        User.objects.create_user(
            STAFF["username"], mobile=STAFF["mobile"], password=STAFF["password"], is_national_staff=True
        )


def assert_labelled_cards(page, selector: str) -> None:
    cards = page.locator(selector).evaluate(CARDS)
    assert cards["tableDisplay"] == "block" and not cards["headVisible"], cards  # cards, not a table
    assert cards["rows"], f"{selector} has no rows"
    for cells in cards["rows"]:
        assert [cell["label"] for cell in cells] == cards["headers"], cells
        for cell in cells:
            assert cell["width"] <= 390, cell
            if not cell["primary"]:  # the primary cell is the card's heading; every other value shows its label
                assert cell["drawn"] == f'"{cell["label"]}"', cell


def test_console_tables_are_labelled_cards_on_a_phone(phone, live_url):
    from tests.threads import in_thread

    thread, outcome = in_thread(_staff, schema="public")  # committed, so the live server sees the staff member
    thread.join()
    assert "error" not in outcome, outcome
    console = live_url(None)
    phone.goto(console + "/accounts/login/")
    phone.fill("#id_pw-identifier", STAFF["username"])
    phone.fill("#id_pw-password", STAFF["password"])
    phone.fill("#id_pw-captcha_1", captcha_answer(phone, "pw"))
    phone.click("#password-login button[type=submit]")
    phone.wait_for_url(console + "/")

    assert_fits(phone, "phone-console-cities")
    assert_labelled_cards(phone, "#console-cities")
    harbin = phone.locator('#console-cities tr[data-schema="harbin"]')
    # The name opens the city page; the second link visits the city's own platform.
    assert harbin.locator("td.cell-primary a").first.inner_text() == "哈尔滨市中小企业数字化转型城市试点"
    assert harbin.locator("td.cell-primary a.console-visit").get_attribute("href").startswith("http://harbin.")
    assert harbin.locator("td.cell-state .tag").bounding_box()["height"] < 30  # 服务中 on one line

    phone.goto(console + "/audit/")
    assert_fits(phone, "phone-console-audit")
    assert_labelled_cards(phone, "#audit-entries")
