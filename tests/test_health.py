"""Liveness and readiness probes (config/health.py): any Host, JSON, 200/503, never a 500 traceback.

The broker faults are real sockets: a port nobody listens on (refused) and a listener that accepts and never
answers (Redis PING times out). PostgreSQL going away is tests/test_db_restart.py's job."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.test import Client

from config import health
from config.celery import app

pytestmark = pytest.mark.django_db

HOSTS = ["localhost", "harbin.localhost", "10.42.0.17:8000", "nowhere.example.org", "suspended.localhost"]


@pytest.fixture
def broker_url(monkeypatch):
    """Point Celery's broker somewhere else for one test; the session's broker comes back afterwards. Celery reads
    the CELERY_BROKER_URL variable before its configuration (CI's second run sets it), so both change."""
    original = app.conf.broker_url
    original_options = app.conf.broker_transport_options

    def point(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        app.conf.broker_transport_options = {}
        assert app.conf.broker_url == url

    yield point
    app.conf.broker_url = original
    app.conf.broker_transport_options = original_options


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_listener():
    """A TCP server that accepts connections and never says a word (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.parametrize("host", HOSTS)
def test_liveness_answers_on_any_host_without_the_database(host, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("host", HOSTS)
def test_readiness_checks_database_and_broker_on_any_host(host):
    response = Client().get("/readyz", HTTP_HOST=host)
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_head_is_answered_and_writes_are_refused():
    client = Client()
    assert client.head("/healthz", HTTP_HOST="localhost").status_code == 200
    response = client.post("/readyz", HTTP_HOST="localhost")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_refused_broker_makes_the_pod_unready_and_says_which_part(broker_url):
    broker_url(f"redis://127.0.0.1:{_closed_port()}/0")
    response = Client().get("/readyz", HTTP_HOST="harbin.localhost")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "error", "checks": {"database": "ok", "broker": "error"}}
    assert b"Traceback" not in response.content and b"Connection" not in response.content


def test_a_hung_broker_fails_within_the_check_timeout(broker_url, silent_listener):
    broker_url(f"redis://127.0.0.1:{silent_listener}/0")
    started = time.monotonic()
    response = Client().get("/readyz", HTTP_HOST="10.42.0.17:8000")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error"}
    # One attempt, no retries: the probe's timeoutSeconds (5 s in deploy/k8s) is never reached.
    assert elapsed < health.CHECK_TIMEOUT * 2 + 1


def test_probe_paths_are_only_the_two_exact_paths(tenant_client):
    """Nothing under them is swallowed: a tenant page called /healthz/x still goes through routing."""
    response = tenant_client("harbin").get("/healthz/anything/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_probes_reveal_no_tenant_or_settings(tenant_client):
    """The same body on a tenant host, the console and an unknown host: no tenant name, no version, no hosts."""
    bodies = {
        Client().get("/readyz", HTTP_HOST=host).content for host in ("harbin.localhost", "localhost", "x.example")
    }
    assert len(bodies) == 1
    assert b"harbin" not in bodies.pop()


def test_the_database_check_works_without_a_pool_too():
    """PLATFORM_DB_POOL_MAX=0: a connection of its own with a connect timeout, closed again."""
    from django.db import connections

    default = connections["default"]
    options = {key: value for key, value in default.settings_dict["OPTIONS"].items() if key != "pool"}
    wrapper = default.__class__({**default.settings_dict, "OPTIONS": options}, alias="health-no-pool")
    assert wrapper.pool is None
    health.check_database(wrapper=wrapper)
    unreachable = {**default.settings_dict, "OPTIONS": options, "HOST": "127.0.0.1", "PORT": _closed_port()}
    with pytest.raises(Exception):  # noqa: B017 - psycopg's OperationalError, whatever the libpq wording
        health.check_database(wrapper=default.__class__(unreachable, alias="health-unreachable"))
