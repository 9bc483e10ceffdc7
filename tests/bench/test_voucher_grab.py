"""Benchmark of the voucher grab (抢券) under load: USERS distinct certified enterprises, each with its own API token,
keep clicking 抢券 on one grab type of STOCK vouchers (per-enterprise limit 1; every 5th user sends each click twice
with the same Idempotency-Key, as a client retrying a lost answer), then GET /api/v1/me/ with the same users, on the
same server, alternating ROUNDS times. Reported: answers by status and code, throughput, p50/p95 of both and their
throughput ratio; from the database: vouchers issued, enterprises holding more than one, stock left, ledger issue
entries, how long the stock lasted; then each kind of answer timed for one client alone, and (a test of its own) the
statements each kind of answer sends.

The suite runs a smoke size in seconds with no extra installs: the demo's own waitress server (tenants/serving.py)
in this process and http.client threads. The issue's size runs the real server and a load tool:
    pip install -e '.[bench]'   # locust, gunicorn
    PLATFORM_BENCH_GRAB_USERS=500 PLATFORM_BENCH_GRAB_STOCK=300 pytest tests/bench/test_voucher_grab.py -s
which starts gunicorn (`config.wsgi`, gthread, PLATFORM_BENCH_GRAB_WORKERS × PLATFORM_BENCH_GRAB_THREADS, default
3 × 4 as deploy/compose.yaml serves; more options in PLATFORM_BENCH_GRAB_GUNICORN_ARGS) on the session's test
database and drives it with locust headless (tests/bench/locust_grab.py, everyone spawned at once, a pause of
PLATFORM_BENCH_GRAB_WAIT="0.5,1.5" s between clicks), PLATFORM_BENCH_GRAB_ROUNDS (3) × PLATFORM_BENCH_GRAB_SECONDS
(20) per endpoint; PLATFORM_BENCH_GRAB_CSV=<folder> keeps locust's CSV files.

Asserted: issued == stock (or every user, if fewer), no enterprise twice, stock left as expected, one ledger issue
entry per voucher, no 5xx, a retry answered with the first voucher. The throughput ratio grab / me is asserted only
with PLATFORM_BENCH_GRAB_MIN_RATIO (the issue's goal: 0.6). Results: docs/vouchers.md, "Grab under load".

The rows are committed in the national schema (the server runs in other threads or processes), tagged with the
run, and deleted at the end whatever happens; the tenant's grab throttle is raised for the run and restored. The
first test must run before the bench (it has pytest-django set the test database up): do not select it away."""

from __future__ import annotations

import datetime
import http.client
import importlib.util
import json
import logging
import os
import random
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.serving import web_server

FULL = bool(os.environ.get("PLATFORM_BENCH_GRAB_USERS"))
USERS = max(1, min(int(os.environ.get("PLATFORM_BENCH_GRAB_USERS") or 40), 2_000))
STOCK = max(1, min(int(os.environ.get("PLATFORM_BENCH_GRAB_STOCK") or 25), 100_000))
SECONDS = max(1.0, min(float(os.environ.get("PLATFORM_BENCH_GRAB_SECONDS") or (20 if FULL else 5)), 600))
ROUNDS = max(1, min(int(os.environ.get("PLATFORM_BENCH_GRAB_ROUNDS") or (3 if FULL else 1)), 20))
WORKERS = max(1, min(int(os.environ.get("PLATFORM_BENCH_GRAB_WORKERS") or 3), 16))
THREADS = max(1, min(int(os.environ.get("PLATFORM_BENCH_GRAB_THREADS") or 4), 32))
MIN_RATIO = float(os.environ.get("PLATFORM_BENCH_GRAB_MIN_RATIO") or 0)
WAIT = tuple(float(w) for w in (os.environ.get("PLATFORM_BENCH_GRAB_WAIT") or "0.5,1.5").split(",")[:2])
CSV_DIR = os.environ.get("PLATFORM_BENCH_GRAB_CSV", "")
GUNICORN_ARGS = os.environ.get("PLATFORM_BENCH_GRAB_GUNICORN_ARGS", "")  # e.g. "--worker-class sync" to compare
RETRY_EVERY = 5
GRAB_PER_MINUTE = 600  # the highest the rules allow (rules.GRAB_PER_MINUTE_MAX); a person clicks about once a second
SCHEMA = "national"
ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locust_grab.py")


@pytest.mark.django_db
def test_the_bench_runs_where_vouchers_are_on():
    """Runs first: the national tenant has the voucher module (and pytest-django has set up the session's test
    database through its usual path before the committed bench below opens connections of its own)."""
    from tenants.models import Tenant

    assert Tenant.objects.get(schema_name=SCHEMA).has_module("vouchers")
    assert USERS > 0 and STOCK > 0 and SECONDS > 0


# --- The world ---------------------------------------------------------------------------------------------------------
def _seed(run: str, users: int, stock: int) -> dict:
    """`users` certified enterprises (organisation, account, membership, API token) and one published grab type of
    `stock` vouchers, limit 1 per enterprise, open now. Committed; returns the ids and the clear tokens."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from shared_apps.accounts.tokens import api_token_issue
    from tenant_apps.organisations.models import Membership, Organisation
    from tenant_apps.vouchers import activities
    from tenant_apps.vouchers.models import VoucherRules

    made: dict = {"run": run}
    rules = VoucherRules.objects.first()
    made["rules"] = (rules.pk, rules.grab_per_minute) if rules else None
    if rules:
        VoucherRules.objects.filter(pk=rules.pk).update(grab_per_minute=GRAB_PER_MINUTE)
    else:
        made["rules_created"] = VoucherRules.objects.create(grab_per_minute=GRAB_PER_MINUTE).pk
    organisations = Organisation.objects.bulk_create(
        Organisation(
            kind=Organisation.Kind.ENTERPRISE,
            name=f"抢券压测企业{run}-{n}",
            uscc=f"9BG{run[:6]}{n:06d}",
            certification=Organisation.Certification.CERTIFIED,
        )
        for n in range(users)
    )
    made["organisations"] = [o.pk for o in organisations]
    unusable = make_password(None)
    accounts = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench_grab_{run}_{n}", password=unusable) for n in range(users)
    )
    made["users"] = [u.pk for u in accounts]
    Membership.objects.bulk_create(
        Membership(user=u, organisation=o, roles=["enterprise"]) for u, o in zip(accounts, organisations, strict=True)
    )
    made["tokens"] = [api_token_issue(u, label=f"bench {run}", days=1)[1] for u in accounts]
    ops = Membership.objects.get(user__username="nat_ops")
    now = timezone.now()
    activity = activities.activity_save(
        actor=ops.user,
        data={
            "name": f"抢券压测{run}",
            "description": "压测用活动，结束后删除。",
            "starts_at": now - datetime.timedelta(minutes=5),
            "ends_at": now + datetime.timedelta(days=1),
        },
    )
    made["activity"] = activity.pk
    vtype = activities.type_save(
        activity=activity,
        data={
            "name": f"压测服务券{run[:6]}",
            "face_value": "10000.00",
            "method": "grab",
            "valid_days": 90,
            "stock_total": stock,
            "per_enterprise_limit": 1,
        },
    )
    made["type"] = vtype.pk
    activities.activity_publish(activity=activity, published=True)
    activities.state_changed()  # the grab throttle and the state as committed, in this process too
    return made


def _figures(made: dict) -> dict:
    """What the database says after the run."""
    from tenant_apps.vouchers.models import LedgerEntry, Voucher, VoucherType

    vouchers = Voucher.objects.filter(type_id=made["type"])
    times = vouchers.order_by("issued_at").values_list("issued_at", flat=True)
    first, last = (times.first(), times.last()) if vouchers.exists() else (None, None)
    return {
        "issued": vouchers.count(),
        "duplicates": vouchers.values("organisation").annotate(n=Count("id")).filter(n__gt=1).count(),
        "strangers": vouchers.exclude(organisation_id__in=made["organisations"]).count(),
        "stock_left": VoucherType.objects.get(pk=made["type"]).stock_left,
        "ledger_issues": LedgerEntry.objects.filter(voucher__type_id=made["type"], kind="issue").count(),
        "ledger_entries": LedgerEntry.objects.filter(voucher__type_id=made["type"]).count(),
        "full_balance": vouchers.filter(balance=10000).count(),
        "stock_lasted": (last - first).total_seconds() if first else None,
    }


def _cleanup(made: dict) -> None:
    """Everything the run made, in the national schema (users too: their tenant rows are reachable from here)."""
    from django.contrib.auth import get_user_model

    from shared_apps.accounts.models import ApiToken
    from tenant_apps.organisations.models import Membership, Organisation
    from tenant_apps.vouchers import activities
    from tenant_apps.vouchers.models import Activity, LedgerEntry, Voucher, VoucherRules, VoucherType
    from tenants.append_only import prune_allowed

    with transaction.atomic():
        if made.get("type"):
            with prune_allowed():  # the ledger is append-only; these entries are the bench's own
                LedgerEntry.objects.filter(voucher__type_id=made["type"]).delete()
            Voucher.objects.filter(type_id=made["type"]).delete()
            VoucherType.objects.filter(pk=made["type"]).delete()
        if made.get("activity"):
            Activity.objects.filter(pk=made["activity"]).delete()
        users = made.get("users", [])
        ApiToken.objects.filter(user_id__in=users).delete()
        Membership.objects.filter(user_id__in=users).delete()
        Organisation.objects.filter(pk__in=made.get("organisations", [])).delete()
        get_user_model().objects.filter(pk__in=users).delete()
        if made.get("rules"):
            pk, per_minute = made["rules"]
            VoucherRules.objects.filter(pk=pk).update(grab_per_minute=per_minute)
        if made.get("rules_created"):
            VoucherRules.objects.filter(pk=made["rules_created"]).delete()
    activities.state_changed()


# --- Load: threads against the in-process waitress (the suite's smoke run) ---------------------------------------------
def _request(port: int, method: str, path: str, headers: dict) -> tuple[str, float, dict | None]:
    """(answer, seconds, body): answer is the status, with the error code for refusals ('409 voucher.sold_out')."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        body = None
        if raw and response.getheader("Content-Type", "").startswith("application/json"):
            body = json.loads(raw)
        answer = str(response.status)
        if response.status >= 400 and isinstance(body, dict) and body.get("code"):
            answer = f"{response.status} {body['code']}"
        return answer, elapsed, body
    except (OSError, http.client.HTTPException) as error:
        return f"0 {type(error).__name__}", time.perf_counter() - started, None
    finally:
        conn.close()


def _threads_load(port: int, made: dict, mode: str) -> dict:
    host = f"{SCHEMA}.{settings.BASE_DOMAIN}:{port}"
    grab_path = f"/api/v1/vouchers/types/{made['type']}/grab/"
    answers: Counter = Counter()
    times: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def user(index: int) -> None:
        headers = {"Host": host, "Authorization": f"Token {made['tokens'][index]}"}
        rng = random.Random(index)
        retries = index % RETRY_EVERY == 0
        while time.monotonic() < deadline:
            seen, spent = [], []
            if mode == "me":
                answer, seconds, _body = _request(port, "GET", "/api/v1/me/", headers)
                seen.append(answer)
                spent.append(seconds)
            else:
                key = f"{made['run']}-{index}-{uuid.uuid4().hex[:12]}"
                keyed = {**headers, "Idempotency-Key": key}
                answer, seconds, body = _request(port, "POST", grab_path, keyed)
                seen.append(answer)
                spent.append(seconds)
                if retries:
                    again, seconds, again_body = _request(port, "POST", grab_path, keyed)
                    seen += [again, "retries"]
                    spent.append(seconds)
                    if answer == "201":
                        same = again == "200" and (again_body or {}).get("id") == (body or {}).get("id")
                        seen.append("retries of an issue answered with its voucher" if same else "retry mismatches")
            with lock:
                answers.update(seen)
                times.extend(spent)
            time.sleep(rng.uniform(0.05, 0.3))  # a person's next click (shorter than locust's: a smoke run is short)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=USERS) as pool:
        list(pool.map(user, range(USERS)))
    return {
        "seconds": time.perf_counter() - started,
        "times_ms": Counter(round(t * 1000, 1) for t in times),
        "answers": answers,
        "failures": sum(n for a, n in answers.items() if a[:1] in ("0", "5")),
    }


# --- Load: gunicorn + locust (the issue's size) -----------------------------------------------------------------------
def _database_url() -> str:
    """The session's test database, for the server's processes (NAME is the test database's once set up)."""
    db = connection.settings_dict
    host = db.get("HOST") or ""
    host = quote(host, safe="") if host.startswith("/") else host  # the embedded server's Unix socket folder
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env() -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        "DJANGO_DEBUG": "false",  # real responses: no debug pages, no query log
        "CELERY_BROKER_URL": "memory://",  # nothing the server might send reaches a demo's worker
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "PLATFORM_BASE_DOMAIN": settings.BASE_DOMAIN,
    }
    env.pop("PLATFORM_BENCH_GRAB_PLAN", None)
    return env


def _needs(module: str) -> None:
    """Skip the full run where the bench tools are not installed. Never imported here: locust patches the whole
    process with gevent on import (the suite's threads and database connections with it)."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"the full run needs {module}: pip install -e '.[bench]'")


@pytest.fixture
def gunicorn_server():
    """A gunicorn serving config.wsgi on a free loopback port, as deploy/compose.yaml runs it (gthread)."""
    _needs("gunicorn")
    port = _free_port()
    log = tempfile.TemporaryFile("w+")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--worker-class",
            "gthread",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
            *shlex.split(GUNICORN_ARGS),
        ],
        cwd=ROOT,
        env=_server_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read()[-4000:]}")
            answer, _t, _b = _request(
                port, "GET", "/api/v1/tenant/", {"Host": f"{SCHEMA}.{settings.BASE_DOMAIN}:{port}"}
            )
            if answer == "200":
                break
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer within 90 s (last: {answer})")
            time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        errors = [line for line in log.read().splitlines() if "Traceback" in line or "ERROR" in line]
        log.close()
        if errors:
            print(f"gunicorn logged {len(errors)} error lines, e.g. {errors[0]}")


def _locust_load(port: int, made: dict, mode: str, folder: Path) -> dict:
    _needs("locust")
    plan = folder / f"plan-{mode}.json"
    out = folder / f"outcomes-{mode}.json"
    plan.write_text(
        json.dumps(
            {
                "host": f"{SCHEMA}.{settings.BASE_DOMAIN}:{port}",
                "type_id": made["type"],
                "tokens": made["tokens"],
                "retry_every": RETRY_EVERY,
                "mode": mode,
                "run": made["run"],
                "out": str(out),
                "wait": WAIT,
            }
        )
    )
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(USERS),  # everyone at once: the opening minute
        "--run-time",
        f"{int(SECONDS)}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    if CSV_DIR:  # locust's own files (stats, history, failures) to keep
        Path(CSV_DIR).mkdir(parents=True, exist_ok=True)
        command += ["--csv", str(Path(CSV_DIR) / f"grab-{made['run']}-{mode}")]
    env = {**os.environ, "PLATFORM_BENCH_GRAB_PLAN": str(plan)}
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=SECONDS + 300)
    if not out.exists():
        pytest.fail(f"locust wrote no outcomes (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    written = json.loads(out.read_text())
    figures = written["stats"]["me" if mode == "me" else "grab"]
    return {
        "seconds": figures["seconds"],
        "times_ms": Counter({float(ms): n for ms, n in figures["response_times"].items()}),
        "answers": Counter(written["answers"]),
        "failures": figures["failures"],
    }


# --- What one answer costs ---------------------------------------------------------------------------------------------
# A refusal answers from one query of the enterprise's vouchers and the cached activity state (the sold-out case
# below includes rebuilding that state once, as the first reader after an issue does).
QUERY_BOUNDS = {"me": 4, "grab issued": 18, "grab replayed": 7, "grab limit reached": 6, "grab sold out": 9}


@pytest.mark.django_db
def test_each_grab_answer_costs_a_bounded_number_of_queries(tenant_client):
    """Statements per answer, as the server runs them (django-tenants also sends a `SET search_path` before each
    one: a round trip more, shown apart). Printed for the bench's report; bounded so a regression is seen."""
    from django.test.utils import CaptureQueriesContext

    from tenant_apps.vouchers import activities

    try:
        with schema_context(SCHEMA):
            made = _seed(uuid.uuid4().hex[:10], 4, 1)
            activities.grab_per_minute()  # the throttle's rule cached, as on a warm server
        connection.set_schema_to_public()
        grab = f"/api/v1/vouchers/types/{made['type']}/grab/"
        clients = [tenant_client(SCHEMA, HTTP_AUTHORIZATION=f"Token {token}") for token in made["tokens"]]
        for client in clients:
            assert client.get("/api/v1/me/").status_code == 200  # tokens' last use written, middleware loaded
        cases = [
            ("grab issued", clients[0], "k1", 201),
            ("grab replayed", clients[0], "k1", 200),
            ("grab limit reached", clients[0], "k2", 409),
            ("grab sold out", clients[1], "k3", 409),
            ("me", clients[2], None, 200),
        ]
        counts = {}
        for name, client, key, status in cases:
            if name == "grab sold out":
                # What the issued grab's commit does (on_commit does not run inside this test's transaction): the
                # cached state is dropped, so the sold-out answer below rebuilds it once and reads stock 0 there.
                from tenant_apps.vouchers import activities

                activities.state_changed()
            with CaptureQueriesContext(connection) as queries:
                if key:
                    response = client.post(grab, HTTP_IDEMPOTENCY_KEY=key)
                else:
                    response = client.get("/api/v1/me/")
            assert response.status_code == status, (name, response.content)
            statements = [q["sql"] for q in queries if not q["sql"].startswith("SET search_path")]
            counts[name] = (len(statements), len(queries) - len(statements), statements)
    finally:
        with schema_context(SCHEMA):
            activities.state_changed()  # the raised throttle was rolled back: so is its cached value
        connection.set_schema_to_public()
    print("\nstatements per answer (+ SET search_path round trips):")
    for name, (n, sets, statements) in counts.items():
        print(f"  {name:19} {n:3d} (+{sets})  " + " | ".join(s.split(" WHERE ")[0][:60] for s in statements))
    for name, bound in QUERY_BOUNDS.items():
        assert counts[name][0] <= bound, (name, counts[name][2])


def _service_times(port: int, made: dict, rounds: int = 40) -> dict:
    """After the load, one client alone: the median time of each kind of answer (no queueing, no contention)."""
    from tenant_apps.vouchers.models import Voucher

    with schema_context(SCHEMA):
        held = Voucher.objects.filter(type_id=made["type"]).values_list("organisation_id", "claim_key").first()
        holders = set(Voucher.objects.filter(type_id=made["type"]).values_list("organisation_id", flat=True))
    connection.set_schema_to_public()
    if held is None:
        return {}
    orgs = made["organisations"]
    holder = orgs.index(held[0])
    outsider = next((i for i, pk in enumerate(orgs) if pk not in holders), None)
    host = f"{SCHEMA}.{settings.BASE_DOMAIN}:{port}"
    grab = f"/api/v1/vouchers/types/{made['type']}/grab/"

    def headers(index: int, key: str | None = None) -> dict:
        return {
            "Host": host,
            "Authorization": f"Token {made['tokens'][index]}",
            **({"Idempotency-Key": key} if key else {}),
        }

    cases = {
        "me": lambda n: ("GET", "/api/v1/me/", headers(holder)),
        "grab replayed": lambda n: ("POST", grab, headers(holder, held[1])),
        "grab limit reached": lambda n: ("POST", grab, headers(holder, f"solo-{n}")),
    }
    if outsider is not None:
        cases["grab sold out"] = lambda n: ("POST", grab, headers(outsider, f"solo-{n}"))
    times = {}
    for name, request in cases.items():
        spent = []
        for n in range(rounds):
            answer, seconds, _body = _request(port, *request(n))
            assert answer[:3] in ("200", "409"), (name, answer)
            spent.append(seconds)
        times[name] = statistics.median(spent[3:])  # the first few warm the worker that answers
    return times


def _percentile(times_ms: Counter, share: float) -> float:
    """Seconds at `share` of the answers, from a histogram {milliseconds: count}."""
    total, seen = sum(times_ms.values()), 0
    for ms in sorted(times_ms):
        seen += times_ms[ms]
        if seen >= share * total:
            return ms / 1000
    return 0.0


def _combined(rounds: list[dict]) -> dict:
    """The rounds of one endpoint as one: requests over the time they took, percentiles of all the answers."""
    times_ms = sum((r["times_ms"] for r in rounds), Counter())
    answers = sum((r["answers"] for r in rounds), Counter())
    requests = sum(times_ms.values())
    return {
        "requests": requests,
        "rps": requests / sum(r["seconds"] for r in rounds),
        "rounds": [sum(r["times_ms"].values()) / r["seconds"] for r in rounds],
        "p50": _percentile(times_ms, 0.5),
        "p95": _percentile(times_ms, 0.95),
        "answers": answers,
        "failures": sum(r["failures"] for r in rounds),
    }


# --- The bench ---------------------------------------------------------------------------------------------------------
@pytest.fixture
def bench_server(request, settings):
    """The full run's gunicorn, or the smoke run's waitress in this process."""
    if FULL:
        yield "gunicorn", request.getfixturevalue("gunicorn_server")
        return
    settings.DEBUG = False
    queue_log = logging.getLogger("waitress.queue")  # "Task queue depth is 2" at every busy moment: expected here
    level = queue_log.level
    queue_log.setLevel(logging.ERROR)
    server = web_server("127.0.0.1", 0, threads=settings.WEB_THREADS)
    threading.Thread(target=server.run, name="bench-grab-waitress", daemon=True).start()
    yield "waitress", server.effective_port
    server.close()
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
    queue_log.setLevel(level)


def _row(name: str, r: dict) -> str:
    rounds = " / ".join(f"{rps:.1f}" for rps in r["rounds"])
    return (
        f"  {name:5} {r['requests']:7d} requests  {r['rps']:7.1f} req/s  p50 {r['p50'] * 1000:7.1f} ms  "
        f"p95 {r['p95'] * 1000:7.1f} ms  failures {r['failures']}"
        + (f"  (rounds: {rounds} req/s)" if len(r["rounds"]) > 1 else "")
    )


def test_grab_under_load_issues_the_stock_once_each(django_db_setup, django_db_blocker, bench_server):
    server, port = bench_server
    run = uuid.uuid4().hex[:10]
    made: dict = {}
    folder = Path(tempfile.mkdtemp(prefix="bench-grab-"))  # not pytest's tmp_path: other runs' clean-ups prune it
    with django_db_blocker.unblock():
        try:
            with schema_context(SCHEMA):
                seeded = time.perf_counter()
                made = _seed(run, USERS, STOCK)
                seed_seconds = time.perf_counter() - seeded
            connection.set_schema_to_public()

            def load(mode: str) -> dict:
                return _locust_load(port, made, mode, folder) if FULL else _threads_load(port, made, mode)

            rounds: dict[str, list] = {"grab": [], "me": []}
            for _round in range(ROUNDS):  # alternating, so a change in the machine's load touches both alike
                for mode in rounds:
                    rounds[mode].append(load(mode))
            grab, me = _combined(rounds["grab"]), _combined(rounds["me"])
            with schema_context(SCHEMA):
                figures = _figures(made)
            connection.set_schema_to_public()
            alone = _service_times(port, made)
        finally:
            with schema_context(SCHEMA):
                _cleanup(made)
                from tenant_apps.organisations.models import Organisation

                left_behind = Organisation.objects.filter(pk__in=made.get("organisations", [])).count()
            connection.set_schema_to_public()
            shutil.rmtree(folder, ignore_errors=True)
    expected = min(STOCK, USERS)
    ratio = grab["rps"] / me["rps"] if me["rps"] else 0.0
    five_xx = sum(n for a, n in grab["answers"].items() if a.startswith("5")) + sum(
        n for a, n in me["answers"].items() if a.startswith("5")
    )
    lasted = figures["stock_lasted"]
    lines = [
        f"voucher grab bench ({server}"
        + (f", {WORKERS} workers × {THREADS} threads, locust" if FULL else ", in-process threads")
        + f", {os.cpu_count()} CPUs): {USERS} enterprises, stock {STOCK}, {ROUNDS} × {SECONDS:g} s per endpoint "
        f"(seeded in {seed_seconds:.1f} s)",
        _row("grab", grab),
        _row("me", me),
        f"  grab / me throughput {ratio:.2f}" + (f" (goal ≥ {MIN_RATIO:g})" if MIN_RATIO else ""),
        *(
            [
                f"  the users click at most ~{USERS / statistics.mean(WAIT):.0f} req/s (pause {WAIT[0]:g}–{WAIT[1]:g} s):"
                " a throughput near it is their pace, not the server's limit"
            ]
            if FULL
            else []
        ),
        "  grab answers: " + ", ".join(f"{a} ×{n}" for a, n in sorted(grab["answers"].items())),
        "  me answers:   " + ", ".join(f"{a} ×{n}" for a, n in sorted(me["answers"].items())),
        f"  database: issued {figures['issued']} (expected {expected}), duplicates {figures['duplicates']}, "
        f"stock left {figures['stock_left']}, ledger issue entries {figures['ledger_issues']}"
        f" of {figures['ledger_entries']}, 5xx {five_xx}"
        + (f", stock lasted {lasted:.2f} s first to last issue" if lasted is not None else ""),
    ]
    lines.append("  one client alone, median: " + ", ".join(f"{name} {t * 1000:.1f} ms" for name, t in alone.items()))
    print("\n" + "\n".join(lines))
    assert left_behind == 0
    assert figures["issued"] == expected, figures
    assert figures["duplicates"] == 0 and figures["strangers"] == 0, figures
    assert figures["stock_left"] == STOCK - expected, figures
    assert figures["ledger_issues"] == figures["ledger_entries"] == figures["full_balance"] == expected, figures
    assert five_xx == 0, (grab["answers"], me["answers"])
    assert grab["failures"] == 0 and me["failures"] == 0, (grab["answers"], me["answers"])
    # Every issue answered 201 (locust may cut a last answer off when its time is up: the database is the count).
    assert grab["answers"]["201"] == expected or (FULL and grab["answers"]["201"] <= expected), grab["answers"]
    assert grab["answers"]["retry mismatches"] == 0, grab["answers"]
    assert set(me["answers"]) == {"200"}, me["answers"]
    allowed = {"201", "200", "409 voucher.sold_out", "409 voucher.limit_reached", "429 voucher.throttled"}
    assert set(grab["answers"]) - {"retries", "retries of an issue answered with its voucher"} <= allowed, grab[
        "answers"
    ]
    if MIN_RATIO:
        assert ratio >= MIN_RATIO, (grab["rps"], me["rps"])
