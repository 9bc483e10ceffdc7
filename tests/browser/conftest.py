"""Browser journeys in real headless Chromium (Debian `chromium`), driven by Playwright with `executable_path`.

Playwright never downloads a browser here. In CI (`CI` set) a missing Chromium is a failure; elsewhere these tests
are skipped with the reason when no Chromium is found.
"""

import os
import shutil

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connection
from django.test.testcases import LiveServerThread

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def live_url(django_db_setup, django_db_blocker):
    """A threaded live server over the session's committed tenants; `live_url("harbin")` → its base URL."""
    django_db_blocker.unblock()
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    django_db_blocker.restore()

    def url(schema: str | None) -> str:
        host = "localhost" if schema is None else f"{schema}.localhost"
        return f"http://{host}:{server.port}"

    yield url
    server.terminate()
    # Request threads keep persistent connections (CONN_MAX_AGE); close them so the test database can be dropped.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests, but no Chromium was found (apt-get install chromium).")
        pytest.skip("no Chromium on this machine (install Debian's chromium to run browser tests)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


PHONE = {"width": 390, "height": 844}  # the enterprise user opening a link from WeChat


@pytest.fixture
def phone(browser):
    """A page at phone width with touch, for the layouts enterprises see on their phones."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def captcha_answer(page, prefix: str | None) -> str:
    """What a person reads off the captcha image on the page (looked up by the key the page carries)."""
    from captcha.models import CaptchaStore

    name = f"{prefix}-captcha_0" if prefix else "captcha_0"
    key = page.locator(f'input[name="{name}"]').input_value()
    return CaptchaStore.objects.get(hashkey=key).response
