"""Session-wide fixtures: one test database, the preset tenants built once (template schema + clones)."""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django_tenants.utils import schema_context

PRESET_TENANTS = ("national", "harbin", "jiangmen")

# Hashing demo passwords with PBKDF2 would dominate set-up time; the hasher is not what these tests prove.
_fast_hashers = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
_fast_hashers.enable()


def _private_celery_transport() -> Path:
    """Before anything is sent: this run's tasks go to a queue of its own (and, for the filesystem broker and file
    results, to folders of its own), never to a demo worker's queue on the same machine."""
    from config.celery import app

    var_dir = Path(tempfile.mkdtemp(prefix="pilot-tests-"))
    folder = var_dir / "celery"
    for sub in ("queue", "processed", "results", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    conf = {"task_default_queue": f"pilot-test-{os.getpid()}"}
    if app.conf.broker_url.startswith("filesystem"):
        conf["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
    if app.conf.result_backend.startswith("file://"):
        conf["result_backend"] = f"file://{folder / 'results'}"
    app.conf.update(conf)
    return var_dir


CELERY_VAR_DIR = _private_celery_transport()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After Django's test database exists: public tenant, template schema, and the three preset tenants."""
    from shared_apps.directory.services import DEMO_CSV, directory_import
    from tenants.services import public_tenant_ensure, tenant_provision

    with django_db_blocker.unblock():
        public_tenant_ensure()
        directory_import(DEMO_CSV)
        for code in PRESET_TENANTS:
            tenant_provision(code, with_demo_data=True)
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _back_to_public():
    """The connection keeps the last request's schema; every test starts and ends in public."""
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _platform_language():
    """A request in English leaves the thread's language behind (LocaleMiddleware activates, nothing resets): every
    test starts in the platform's language, as a worker or a new request thread does."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Per-tenant caches (portal profile and menu, filter choices, activity states) are dropped by signals on save;
    a test's rolled-back transaction sends none, so every test starts from an empty local cache."""
    from django.core.cache import cache

    cache.clear()


_ip_counter = itertools.count(1)


@pytest.fixture
def tenant_client():
    """`tenant_client("harbin")` → a test client whose requests go to harbin's host.

    Each test gets its own client address, so per-IP counters (lockout, SMS caps) never leak between tests.
    """
    n = next(_ip_counter)
    address = f"10.200.{n // 250 % 250}.{n % 250 + 1}"

    def make(schema: str | None, **extra) -> Client:
        from django.conf import settings

        host = settings.BASE_DOMAIN if schema is None else f"{schema}.{settings.BASE_DOMAIN}"
        return Client(HTTP_HOST=host, **{"REMOTE_ADDR": address, **extra})

    return make


@pytest.fixture
def login_client(tenant_client):
    """`login_client("harbin", "hrb_admin")` → a client on harbin's host, signed in as that identity."""
    from django.contrib.auth import get_user_model

    def make(schema: str | None, username: str) -> Client:
        client = tenant_client(schema)
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return make


@contextlib.contextmanager
def in_schema(schema: str):
    with schema_context(schema):
        yield
    connection.set_schema_to_public()


@pytest.fixture
def tenant_schema():
    return in_schema


@pytest.fixture
def national_staff(django_user_model):
    """A national-center staff identity: the console, and nothing inside tenants."""
    return django_user_model.objects.create_user("center_staff", mobile="13800009999", is_national_staff=True)


@pytest.fixture
def captcha():
    """Reads the answer of the image captcha a page just rendered, as a person reads the picture.

    `captcha(html, prefix)` → the POST fields `<prefix>-captcha_0/1` with the key from the page and its answer
    (prefix None for an unprefixed form).
    """
    import re

    from captcha.models import CaptchaStore

    def solve(html: str, prefix: str | None) -> dict:
        name = f"{prefix}-captcha" if prefix else "captcha"
        key = re.search(rf'name="{name}_0"[^>]*value="([0-9a-f]+)"', html).group(1)
        answer = CaptchaStore.objects.get(hashkey=key).response
        return {f"{name}_0": key, f"{name}_1": answer}

    return solve


@pytest.fixture
def outbox_code():
    """The latest SMS code the outbox backend sent to a mobile (what the person reads on their phone)."""
    import re

    from shared_apps.accounts.models import SmsMessage

    def read(mobile: str) -> str:
        message = SmsMessage.objects.filter(mobile=mobile).order_by("-created_at", "-id").first()
        return re.search(r"\d{6}", message.text).group(0)

    return read


@pytest.fixture
def lockout_clock(monkeypatch):
    """The lockout's clock (events are stamped with it too): `lockout_clock.advance(seconds=31)` moves time on
    without sleeping, so delays and pauses are tested at their exact boundaries."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    state = {"now": timezone.now()}

    def advance(**delta):
        state["now"] += timedelta(**delta)

    clock = SimpleNamespace(now=lambda: state["now"], localtime=timezone.localtime, advance=advance)
    monkeypatch.setattr("shared_apps.accounts.security.timezone", clock)
    return clock
