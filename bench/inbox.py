"""Reviewer inbox, task API and opening one application at 50,000 open tasks (issue #17, rows 4 and 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilot_b_bench .venv/bin/python bench/inbox.py [--tasks 50000]

Prepares the database once (migrations, the harbin tenant with its demo accounts, then `--tasks` open tasks written
with one INSERT … SELECT each, so a second run reuses them), then signs in as `hrb_bureau` (city bureau: decides the
role stages and assigns experts, so the inbox's widest policy) and requests, round-robin so that load from other
processes falls on every endpoint alike: `/api/v1/me/` (the trivial baseline), the inbox page 1, a middle page and
the last page, the task API's first and last page, one application's page and its API detail. Prints p50 / p95 per
endpoint and each one's ratio to `/api/v1/me/` measured in the same run.

Never point it at a database you care about: it adds rows to the tenant's workflow tables.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.benchkit import django_ready, migrated, report  # noqa: E402

SCHEMA = "harbin"
REVIEWER = "hrb_bureau"
MARK = "基准待办"  # title prefix of the rows this script adds


def prepare(tasks: int) -> None:
    """Migrated database, the harbin tenant with demo accounts, and `tasks` open tasks of ours in it."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import tenant_provision

    migrated()
    if not Tenant.objects.filter(schema_name=SCHEMA).exists():
        print(f"provisioning {SCHEMA} …", flush=True)
        tenant_provision(SCHEMA, with_demo_data=True)
    with schema_context(SCHEMA):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM workflow_task t JOIN workflow_application a ON a.id = t.application_id "
                "WHERE t.state = 'open' AND a.title LIKE %s",
                [f"{MARK}%"],
            )
            have = cursor.fetchone()[0]
            if have < tasks:
                print(f"adding {tasks - have} open tasks …", flush=True)
                _add_tasks(cursor, have, tasks - have)
                cursor.execute("VACUUM ANALYZE workflow_application")
                cursor.execute("VACUUM ANALYZE workflow_task")
                cursor.execute("VACUUM ANALYZE workflow_taskuserobjectpermission")
    connection.set_schema_to_public()


def _add_tasks(cursor, start: int, count: int) -> None:
    """Applications in review, each with its one open task, spread over the last year. The mix a busy city has:
    most tasks at a city-bureau stage, 1 in 20 at the finance bureau, 1 in 20 at an expert stage (half of those
    with an expert granted, half waiting for the bureau to assign one)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from tenant_apps.organisations.models import Membership

    enterprises = Membership.objects.filter(organisation__kind="enterprise", organisation__isnull=False)
    pairs = list(enterprises.values_list("user_id", "organisation_id").order_by("pk"))
    applicants, organisations = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
    expert = get_user_model().objects.get(username="zhang_expert").pk
    permission = Permission.objects.get(codename="decide_task", content_type__app_label="workflow").pk
    stages = (
        '[{"name": "市工信局审核", "role": "city_bureau", "level": "", "checks": [], '
        '"actions": ["approve", "return", "reject"], "handler": "role", "due_days": null, "position": 1}]'
    )
    cursor.execute(
        """
        INSERT INTO workflow_application (kind, title, applicant_id, organisation_id, state, stage_position, stages,
                                          version, created_at, submitted_at)
        SELECT 'certification', %(mark)s || ' ' || g, (%(applicants)s::bigint[])[1 + g %% cardinality(%(applicants)s)],
               (%(organisations)s::bigint[])[1 + g %% cardinality(%(applicants)s)], 'in_review', 1,
               %(stages)s::jsonb, 1, now() - (g * interval '10 minutes'), now() - (g * interval '10 minutes')
        FROM generate_series(%(first)s, %(last)s) AS g
        """,
        {
            "mark": MARK,
            "applicants": applicants,
            "organisations": organisations,
            "stages": stages,
            "first": start + 1,
            "last": start + count,
        },
    )
    cursor.execute(
        """
        INSERT INTO workflow_task (application_id, stage_position, stage_name, handler, role, actions, state,
                                   decision, opinion, created_at)
        SELECT a.id, 1, '市工信局审核',
               CASE WHEN a.id %% 20 = 0 THEN 'experts' ELSE 'role' END,
               CASE WHEN a.id %% 20 = 0 THEN '' WHEN a.id %% 20 = 1 THEN 'finance' ELSE 'city_bureau' END,
               ARRAY['approve', 'return', 'reject'], 'open', '', '', a.submitted_at
        FROM workflow_application a
        WHERE a.title LIKE %(like)s AND NOT EXISTS (SELECT 1 FROM workflow_task t WHERE t.application_id = a.id)
        """,
        {"like": f"{MARK}%"},
    )
    cursor.execute(
        """
        INSERT INTO workflow_taskuserobjectpermission (content_object_id, permission_id, user_id)
        SELECT t.id, %(permission)s, %(expert)s FROM workflow_task t
        WHERE t.handler = 'experts' AND t.state = 'open' AND t.application_id %% 40 = 0
        ON CONFLICT DO NOTHING
        """,
        {"permission": permission, "expert": expert},
    )


def measure(rounds: int) -> list[tuple[str, list[float]]]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from tenant_apps.workflow.models import Application

    with schema_context(SCHEMA):
        application = Application.objects.filter(title__startswith=MARK, state="in_review").order_by("pk")
        one = application[application.count() // 2].pk
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=f"{SCHEMA}.{settings.BASE_DOMAIN}")
    client.force_login(get_user_model().objects.get(username=REVIEWER))
    listed = client.get("/api/v1/tasks/").json()
    total = listed["count"]  # capped at the inbox's count cap, when there is one: the pages end there
    last = max(1, -(-total // 20))
    middle = max(1, last // 2)
    endpoints = [
        ("/api/v1/me/ (baseline)", "/api/v1/me/"),
        ("workbench page floor (我的申请, 0 rows)", "/workbench/inbox/?tab=mine"),
        ("inbox page 1", "/workbench/inbox/?tab=awaiting"),
        (f"inbox page {middle} (middle)", f"/workbench/inbox/?tab=awaiting&page={middle}"),
        (f"inbox page {last} (last)", f"/workbench/inbox/?tab=awaiting&page={last}"),
        ("task API page 1", "/api/v1/tasks/"),
        (f"task API page {middle} (middle)", f"/api/v1/tasks/?page={middle}"),
        (f"task API page {last} (last)", f"/api/v1/tasks/?page={last}"),
        ("open one application (page)", f"/workbench/applications/{one}/"),
        ("open one application (API)", f"/api/v1/applications/{one}/"),
    ]
    for _label, url in endpoints:  # warm up: templates, caches, the first connection
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    timings: dict[str, list[float]] = {label: [] for label, _url in endpoints}
    for _ in range(rounds):
        for label, url in endpoints:
            started = time.perf_counter()
            response = client.get(url)
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    connection.set_schema_to_public()
    capped = " (count capped: more exist)" if listed.get("count_capped") else ""
    print(f"{REVIEWER}: task API count {total}{capped}; {rounds} rounds")
    return [(label, timings[label]) for label, _url in endpoints]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=50_000, help="open tasks in the tenant (default 50,000)")
    parser.add_argument("--rounds", type=int, default=40, help="requests per endpoint (default 40)")
    args = parser.parse_args()
    if not django_ready("pilot_b_bench"):
        return 2
    prepare(args.tasks)
    report(measure(args.rounds), base="×me")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
