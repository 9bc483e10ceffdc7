"""The locustfile of the voucher grab benchmark (tests/bench/test_voucher_grab.py runs it in a subprocess, headless).

Every simulated user is one certified enterprise with its own API token (`Authorization: Token …`), taken in order
from the plan the test writes (JSON at $PLATFORM_BENCH_GRAB_PLAN): the national host header, the voucher type, the
tokens, the mode, where to write the outcome counts. Users keep clicking like people at the opening minute:

- mode "grab": POST /api/v1/vouchers/types/<id>/grab/ with a fresh Idempotency-Key per click; every
  `retry_every`-th user sends each click twice with the same key (a client retrying a lost answer), and the second
  answer must be the first one's voucher (200) when the first issued one. 201/200/409 (sold out, limit reached) and
  429 (throttled) are answers, not failures; anything else (5xx, connection errors) is a failure.
- mode "me": GET /api/v1/me/, the trivial authenticated endpoint, with the same users.

When locust quits this file writes to `out` the answers by status and code and locust's final figures per endpoint
(requests, failures, seconds, requests/s, the histogram of response times).
Importable without locust installed (the suite never imports it; only the subprocess does)."""

from __future__ import annotations

import itertools
import json
import os
import threading
import uuid
from collections import Counter
from pathlib import Path

try:
    from locust import FastHttpUser, between, events, task
except ImportError:  # the test collector may load this module where locust is not installed
    FastHttpUser, events = object, None

    def between(_low, _high):
        return None

    def task(function):
        return function


PLAN = (
    json.loads(Path(os.environ["PLATFORM_BENCH_GRAB_PLAN"]).read_text())
    if os.environ.get("PLATFORM_BENCH_GRAB_PLAN")
    else {}
)
OUTCOMES: Counter = Counter()
_next_user = itertools.count()
_lock = threading.Lock()


def _count(*keys: str) -> None:
    with _lock:
        OUTCOMES.update(keys)


def _answer(response) -> str:
    """'201', '409 voucher.sold_out', '500', '0' (no answer) …"""
    status = response.status_code or 0
    if status in (400, 403, 404, 409, 429):
        try:
            return f"{status} {response.json().get('code', '')}".strip()
        except (ValueError, AttributeError):
            return str(status)
    return str(status)


class Claimant(FastHttpUser):
    wait_time = between(*PLAN.get("wait", (0.5, 1.5)))  # a person clicking again and again at the opening minute
    connection_timeout = 60.0
    network_timeout = 120.0

    def on_start(self):
        index = next(_next_user)
        tokens = PLAN["tokens"]
        self.index = index
        self.headers = {"Host": PLAN["host"], "Authorization": f"Token {tokens[index % len(tokens)]}"}
        self.retries = PLAN.get("retry_every", 0) and index % PLAN["retry_every"] == 0
        self.grab_path = f"/api/v1/vouchers/types/{PLAN['type_id']}/grab/"
        if index >= len(tokens):
            _count("users beyond the tokens")

    def _grab(self, key: str):
        with self.client.post(
            self.grab_path, headers={**self.headers, "Idempotency-Key": key}, name="grab", catch_response=True
        ) as response:
            answer = _answer(response)
            if answer.startswith(("201", "200", "409", "429")):
                response.success()
            else:
                response.failure(f"HTTP {answer}")
            voucher = None
            if answer in ("200", "201"):
                try:
                    voucher = response.json().get("id")
                except (ValueError, AttributeError):
                    voucher = None
            return answer, voucher

    @task
    def click(self):
        if PLAN.get("mode") == "me":
            with self.client.get("/api/v1/me/", headers=self.headers, name="me", catch_response=True) as response:
                answer = _answer(response)
                if answer == "200":
                    response.success()
                else:
                    response.failure(f"HTTP {answer}")
            _count(answer)
            return
        key = f"{PLAN.get('run', 'bench')}-{self.index}-{uuid.uuid4().hex[:12]}"
        answer, voucher = self._grab(key)
        _count(answer)
        if self.retries:
            again, same = self._grab(key)
            _count(again, "retries")
            if answer == "201":
                _count(
                    "retries of an issue answered with its voucher"
                    if (again, same) == ("200", voucher)
                    else "retry mismatches"
                )


if events is not None:

    @events.quitting.add_listener
    def _write_outcomes(environment, **_kwargs):
        """The answers, and locust's own final figures of the run (its --csv files lag by up to a second)."""
        if not PLAN.get("out"):
            return
        figures = {}
        for entry in environment.stats.entries.values():
            figures[entry.name] = {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "seconds": max((entry.last_request_timestamp or entry.start_time) - entry.start_time, 1e-9),
                "rps": entry.total_rps,
                "response_times": entry.response_times,  # {milliseconds (rounded as locust does): count}
            }
        with open(PLAN["out"], "w") as out:
            json.dump({"answers": dict(OUTCOMES), "stats": figures}, out)
