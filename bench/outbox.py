"""What the transactional outbox costs (issue #17, ADR 0027).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilot_c_bench .venv/bin/python bench/outbox.py [--rounds 300]

Prepares the database once (migrations, `harbin` without demo data). Publishes to a filesystem broker in a private
temporary folder and queue (nobody consumes it), so no worker on this machine sees these messages. Measures, in
harbin, round-robin so load from other processes falls on both alike:

- baseline: a transaction that writes one message row (what a decision's notice used to add to the decision);
- outbox: the same transaction plus `outbox_enqueue` (the event row, and after commit the publish and its stamp);
then the relay publishing a backlog of `--backlog` unpublished events (as after a broker outage), per event.
Prints p50 / p95 and the ratio to the baseline. Never point it at a database you care about: it adds rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.benchkit import migrated  # noqa: E402

os.environ["PLATFORM_VAR_DIR"] = tempfile.mkdtemp(prefix="pilot-bench-outbox-")
os.environ["CELERY_BROKER_URL"] = "filesystem://"
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"bench-outbox-{os.getpid()}"

TENANT = "harbin"


def prepare():
    from django.contrib.auth import get_user_model

    from tenants.models import Tenant
    from tenants.services import tenant_provision

    migrated()
    if not Tenant.objects.filter(schema_name=TENANT).exists():
        print(f"provisioning {TENANT} …", flush=True)
        tenant_provision(TENANT)
    user, _ = get_user_model().objects.get_or_create(username="bench_outbox", defaults={"mobile": "13899990077"})
    return user


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--backlog", type=int, default=500)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tenant_apps.notifications import outbox
    from tenant_apps.notifications.models import Message, OutboxEvent

    user = prepare()
    run = f"{os.getpid()}-{int(time.time())}"
    with schema_context(TENANT):

        def baseline(n):
            with transaction.atomic():
                Message.objects.create(user=user, source_key=f"bench-b:{run}:{n}", title="基准")

        def with_outbox(n):
            with transaction.atomic():
                Message.objects.create(user=user, source_key=f"bench-o:{run}:{n}", title="基准")
                outbox.outbox_enqueue("tenants.tasks.current_schema")

        timings = {"baseline: one message row": [], "with outbox_enqueue (+ publish after commit)": []}
        for n in range(-5, args.rounds):  # five warm-up rounds
            for label, step in zip(timings, (baseline, with_outbox), strict=True):
                started = time.perf_counter()
                step(n)
                if n >= 0:
                    timings[label].append(time.perf_counter() - started)
        base = statistics.median(timings["baseline: one message row"])
        for label, values in timings.items():
            p50, p95 = statistics.median(values), pct(values, 0.95)
            print(f"{label:48} p50 {p50 * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms  ×{p50 / base:5.2f} baseline p50")

        OutboxEvent.objects.bulk_create(
            OutboxEvent(handler="tenants.tasks.current_schema") for _ in range(args.backlog)
        )
        started = time.perf_counter()
        published = 0
        while True:
            outcome = outbox.outbox_relay()
            published += outcome["published"]
            if not outcome["published"]:
                break
        elapsed = time.perf_counter() - started
        per = elapsed / max(published, 1)
        print(
            f"{'relay after an outage: ' + str(published) + ' events':48} total {elapsed:6.2f} s  "
            f"{per * 1000:7.2f} ms/event  ×{per / base:5.2f} baseline p50"
        )
        OutboxEvent.objects.filter(handler="tenants.tasks.current_schema").update(delivered_at=timezone.now())


if __name__ == "__main__":
    main()
