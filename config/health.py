"""Liveness and readiness probes for load balancers and Kubernetes (deploy/k8s/).

They are answered by the first middleware, before host → tenant routing and before `ALLOWED_HOSTS` is consulted:
a probe sends the pod's IP (or any name) as its Host, which no tenant serves. Both answer JSON, 200 or 503, never a
traceback, and say which part failed but not why (the reason goes to the log, not to whoever asks).

- `/healthz` (liveness): the process answers requests. Touches nothing else, so a database outage never makes
  Kubernetes restart every web pod at once.
- `/readyz` (readiness): a connection from this process's pool runs `SELECT 1`, and the Celery broker accepts a
  connection, each within `CHECK_TIMEOUT` seconds. A pod that fails it is taken out of the Service until it passes.
"""

from __future__ import annotations

import logging
import time

from django.db import connections
from django.http import JsonResponse

logger = logging.getLogger(__name__)

# Seconds each dependency may take. Below the probes' timeoutSeconds (deploy/k8s/web.yaml: 5 s) with both checks.
CHECK_TIMEOUT = 2.0

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def check_database(timeout: float = CHECK_TIMEOUT, wrapper=None) -> None:
    """`SELECT 1` on a connection of the request pool (so a pool that cannot reach PostgreSQL fails the probe), with a
    bounded wait instead of the pool's own timeout; without a pool, a new connection with a connect timeout."""
    wrapper = wrapper or connections["default"]
    pool = wrapper.pool
    if pool is not None:
        pool.open()
        with pool.connection(timeout=timeout) as conn:
            conn.execute("SELECT 1")
        return
    import psycopg

    params = wrapper.get_connection_params()
    with psycopg.connect(**params, connect_timeout=max(1, round(timeout)), autocommit=True) as conn:
        conn.execute("SELECT 1")


def check_broker(timeout: float = CHECK_TIMEOUT) -> None:
    """One connection to the broker Celery uses, no retries; Redis is asked a PING (kombu does on connect)."""
    from kombu import Connection

    from config.celery import app

    options = {
        **(app.conf.broker_transport_options or {}),
        "socket_connect_timeout": timeout,  # Redis
        "socket_timeout": timeout,
    }
    with Connection(app.conf.broker_url, connect_timeout=timeout, transport_options=options) as conn:
        conn.ensure_connection(max_retries=0)


CHECKS = {"database": check_database, "broker": check_broker}


def liveness() -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readiness() -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:  # any failure of a dependency is "not ready", never a 500
            logger.warning("readiness: %s failed after %.2f s: %r", name, time.monotonic() - started, error)
            results[name] = "error"
        else:
            results[name] = "ok"
    ready = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if ready else "error", "checks": results}, status=200 if ready else 503)


PROBES = {LIVENESS_PATH: liveness, READINESS_PATH: readiness}


class HealthCheckMiddleware:
    """First in `MIDDLEWARE`: answers the probe paths on every host, known or not, and passes everything else on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"status": "error"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        response = probe()
        response["Cache-Control"] = "no-store"
        return response
