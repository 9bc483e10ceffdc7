"""Bounded load against the demo's own web server (waitress, tenants/serving.py) on loopback: a burst of concurrent
clients gets no 5xx, and the request right after the burst is answered at once (issue 10, item 11).

The suite runs a short burst. The issue's full check is `PLATFORM_BENCH_CLIENTS=200 … pytest tests/bench`; every
run is bounded in clients, requests per client and seconds, and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tenants.serving import web_server

pytestmark = pytest.mark.django_db

CLIENTS = min(int(os.environ.get("PLATFORM_BENCH_CLIENTS", 24)), 400)
ROUNDS = min(int(os.environ.get("PLATFORM_BENCH_ROUNDS", 2)), 20)
DEADLINE_SECONDS = float(os.environ.get("PLATFORM_BENCH_SECONDS", 120))
PATHS = [
    "/",
    f"/search/?q={quote('数字化')}",
    "/api/v1/tenant/",
    "/accounts/login/",
    "/static/css/platform.css",
    "/no-such-page/",
]


@pytest.fixture
def waitress_server(settings):
    """`waitress_server(threads)` → the port of a waitress server with that many threads, stopped after the test."""
    settings.DEBUG = False
    servers = []

    def start(threads: int = 4) -> int:
        server = web_server("127.0.0.1", 0, threads=threads)
        threading.Thread(target=server.run, name="bench-waitress", daemon=True).start()
        servers.append(server)
        return server.effective_port

    yield start
    for server in servers:
        server.close()
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)


def _get(port: int, path: str, host: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_SECONDS)
    try:
        conn.request("GET", path, headers={"Host": f"{host}:{port}"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _client(port: int, index: int) -> list[tuple[str, int]]:
    host = f"harbin.{settings.BASE_DOMAIN}" if index % 2 else f"jiangmen.{settings.BASE_DOMAIN}"
    results = []
    for round_ in range(ROUNDS):
        path = PATHS[(index + round_) % len(PATHS)]
        results.append((path, _get(port, path, host)))
    return results


def test_a_burst_of_concurrent_clients_gets_no_server_error_and_the_site_recovers_at_once(waitress_server):
    live_server_port = waitress_server()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = [r for batch in pool.map(lambda i: _client(live_server_port, i), range(CLIENTS)) for r in batch]
    elapsed = time.monotonic() - started
    assert len(results) == CLIENTS * ROUNDS
    assert [r for r in results if r[1] >= 500] == []
    assert {status for _path, status in results} <= {200, 302, 404}
    assert elapsed < DEADLINE_SECONDS
    after = time.monotonic()
    assert _get(live_server_port, "/", f"harbin.{settings.BASE_DOMAIN}") == 200
    assert time.monotonic() - after < 5


def test_the_pool_bounds_database_connections_under_the_burst(waitress_server):
    """More server threads than pooled connections: without the pool every busy thread holds a connection of its
    own; with it, this process never holds more than the pool's size, while no request fails."""
    port = waitress_server(threads=CLIENTS)
    assert CLIENTS > settings.DB_POOL_MAX > 0
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as watcher:
            while not done.is_set():
                count = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND application_name = '' AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).fetchone()[0]
                peak = max(peak, count)
                done.wait(0.005)

    before = connection.cursor().connection.info.backend_pid  # the test's own connection exists already
    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = [r for batch in pool.map(lambda i: _client(port, i), range(CLIENTS)) for r in batch]
    finally:
        done.set()
        watcher.join(timeout=10)
    assert before and [r for r in results if r[1] >= 500] == []
    assert peak <= settings.DB_POOL_MAX + 1  # the pool, and the test's own connection
