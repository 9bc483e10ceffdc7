"""The client IP behind per-IP caps comes from REMOTE_ADDR and the configured trusted proxies, never from a header
the client controls (issue 10, item 5)."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle

from shared_apps.accounts.models import SecurityEvent, SmsCode
from tenants.client_ip import client_ip

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.9", PROXY),  # nobody is trusted: the header is the client's word
        (1, None, PROXY),
        (1, "198.51.100.7", "198.51.100.7"),  # nginx overwrote the header with the peer it saw
        (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # an appending proxy: the client's prefix is not read
        (1, "not-an-ip", PROXY),
        (2, "198.51.100.7", PROXY),  # shorter than the chain of trusted proxies: not believed
        (2, "203.0.113.9, 198.51.100.7, 172.16.0.1", "198.51.100.7"),
    ],
)
def test_resolver_reads_only_what_trusted_proxies_wrote(settings, proxies, forwarded, expected):
    settings.PLATFORM_TRUSTED_PROXIES = proxies
    extra = {"REMOTE_ADDR": PROXY} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    assert client_ip(RequestFactory().get("/", **extra)) == expected


def _behind_one_appending_proxy(settings):
    """The setting an operator had with `DJANGO_BEHIND_PROXY=true`, and a proxy that appends the peer it saw."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PLATFORM_TRUSTED_PROXIES = 1


def _spoofed(n: int, real: str = "198.51.100.7") -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}, {real}"}


def test_a_new_spoofed_header_per_request_does_not_evade_the_sms_cap_per_ip(settings, tenant_client, captcha):
    from tests.test_login import send_code

    _behind_one_appending_proxy(settings)
    settings.PLATFORM_SMS_DAILY_PER_IP = 2
    client = tenant_client("harbin", REMOTE_ADDR=PROXY)
    answers = []
    for n, mobile in enumerate(["13800000301", "13800000302", "13800000303"]):
        client.defaults.update(_spoofed(n))
        answers.append(send_code(client, captcha, mobile).content.decode())
        SmsCode.objects.filter(mobile=mobile).update(created_at=timezone.now() - timedelta(minutes=2))
    mine = SmsCode.objects.filter(mobile__in=["13800000301", "13800000302", "13800000303"])  # rows of this test only
    assert set(mine.values_list("ip", flat=True)) == {"198.51.100.7"}
    assert "当前网络今日" in answers[-1]


def test_a_new_spoofed_header_per_request_does_not_evade_the_lockout_per_ip(settings, tenant_client, captcha):
    from tests.test_login import password_login

    _behind_one_appending_proxy(settings)
    settings.PLATFORM_LOCKOUT_PER_IP = 5
    client = tenant_client("harbin", REMOTE_ADDR=PROXY)
    for n, name in enumerate(["ghost1", "ghost2", "ghost3", "ghost4", "ghost5"]):
        client.defaults.update(_spoofed(n))
        password_login(client, captcha, name, "Wrong#Pass1")
    failures = SecurityEvent.objects.filter(identifier__startswith="ghost")
    assert set(failures.values_list("ip", flat=True)) == {"198.51.100.7"}
    client.defaults.update(_spoofed(99))
    response = password_login(client, captcha, "hrb_editor", "Wrong#Pass1")
    assert response.status_code != 302
    assert SecurityEvent.objects.filter(kind="locked_out", ip="198.51.100.7").exists()


def test_the_anonymous_api_throttle_counts_the_same_client(settings, tenant_client, monkeypatch):
    _behind_one_appending_proxy(settings)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    client = tenant_client("harbin", REMOTE_ADDR=PROXY)
    statuses = []
    for n in range(5):
        client.defaults.update(_spoofed(n, real="198.51.100.8"))
        statuses.append(client.get("/api/v1/directory/companies/", {"q": "哈尔滨"}).status_code)
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]


def test_throttle_and_resolver_agree_on_who_the_client_is(settings):
    for proxies in (0, 1, 2):
        settings.PLATFORM_TRUSTED_PROXIES = proxies
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
        for forwarded in ("198.51.100.7", "203.0.113.9, 198.51.100.7", "203.0.113.9, 198.51.100.7, 172.16.0.1"):
            request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
            if proxies <= len(forwarded.split(",")):
                assert AnonRateThrottle().get_ident(request) == client_ip(request)
