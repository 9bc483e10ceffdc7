"""Tenant-aware Celery with a real worker process: tasks run in the schema they were sent from."""

import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from config.celery import app as celery_app
from tests.conftest import CELERY_VAR_DIR

pytestmark = pytest.mark.django_db


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    host = db.get("HOST") or ""
    if host.startswith("/"):
        return f"postgresql://{auth}@{quote(host, safe='')}/{db['NAME']}"
    return f"postgresql://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup):
    """A real `celery worker` process on the test database, on this run's private queue (tests/conftest.py)."""
    var_dir = CELERY_VAR_DIR
    queue = celery_app.conf.task_default_queue
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "PLATFORM_VAR_DIR": str(var_dir),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    log = (var_dir / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()


@pytest.mark.parametrize("schema", ["harbin", "jiangmen", "national"])
def test_task_sent_while_in_a_tenant_runs_in_that_tenant(celery_worker, schema):
    from tenants.tasks import current_schema

    with schema_context(schema):
        result = current_schema.delay()
    assert result.get(timeout=90) == schema


def test_task_sent_from_public_runs_in_public(celery_worker):
    from tenants.tasks import current_schema

    assert current_schema.delay().get(timeout=90) == "public"


def test_beat_sends_the_rollup_into_every_serving_tenant(celery_worker):
    """The beat scheduler's real fan-out, with the worker computing each tenant's figures from its own schema."""
    from shared_apps.oversight.models import TenantFigures
    from tenants.scheduler import ServingTenantsScheduler

    sent = []

    class RecordingScheduler(ServingTenantsScheduler):
        def apply_async(self, entry, producer=None, advance=True, **kwargs):
            result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
            sent.append(result)
            return result

    scheduler = RecordingScheduler(app=celery_app, lazy=False)
    entry = scheduler.schedule["rollup-figures@__all_tenants_only__"]
    scheduler.apply_entry(entry)
    connection.set_schema_to_public()
    outcomes = {outcome["schema"]: outcome for outcome in (r.get(timeout=90) for r in sent)}

    assert set(outcomes) == {"national", "harbin", "jiangmen"}  # never public, never the template
    figures = {f.tenant.schema_name: f for f in TenantFigures.objects.select_related("tenant")}
    # Each tenant's own committed rows (the presets' demo data plus whatever other tests committed).
    from tenant_apps.organisations.models import Membership, Organisation

    for schema in ("national", "harbin", "jiangmen"):
        with schema_context(schema):
            expected = (
                Organisation.objects.count(),
                Organisation.objects.filter(kind="provider").count(),
                Membership.objects.filter(is_active=True).count(),
            )
        got = figures[schema]
        assert (got.organisations, got.providers, got.members) == expected
    connection.set_schema_to_public()
    # The presets differ, so a roll-up that mixed schemas up would show it: Harbin has no providers, Jiangmen one.
    assert figures["harbin"].providers == 0 and figures["jiangmen"].providers >= 1
    assert figures["harbin"].organisations >= 3 and figures["jiangmen"].organisations >= 4


def test_a_decision_notifies_the_applicant_exactly_once(celery_worker):
    """The engine queues the notification when the decision commits; two more deliveries of the same event then
    reach the real worker. Three deliveries, one message, one SMS."""
    import threading

    from django.contrib.auth import get_user_model
    from django.db import connections

    from shared_apps.accounts.models import SmsMessage
    from tenant_apps.notifications.models import Message
    from tenant_apps.organisations.models import Membership
    from tenant_apps.workflow import services
    from tenant_apps.workflow.models import LogEntry
    from tenant_apps.workflow.tasks import notify_applicant

    created = {}

    def decide_committed():  # its own connection: committed, so the worker can read it
        try:
            with schema_context("harbin"):
                user = get_user_model().objects.get(username="hrb_enterprise")
                app = services.application_create(kind="certification", applicant=user, title="通知测试认证")
                app = services.application_submit(application=app, actor=user)
                bureau = Membership.objects.select_related("organisation").get(user__username="hrb_bureau")
                task = app.tasks.get(state="open")
                services.task_decide(task_id=task.pk, membership=bureau, action="return", opinion="请补充材料")
                created["entry"] = LogEntry.objects.get(application=app, action="return").pk
        finally:
            connections.close_all()

    thread = threading.Thread(target=decide_committed)
    thread.start()
    thread.join()
    entry = created["entry"]
    with schema_context("harbin"):
        first, second = notify_applicant.delay(entry), notify_applicant.delay(entry)
    connection.set_schema_to_public()
    results = [first.get(timeout=90), second.get(timeout=90)]
    assert results.count(True) <= 1  # at most one of the redeliveries can be the one that counted
    with schema_context("harbin"):
        messages = Message.objects.filter(source_key=f"workflow-log:{entry}")
        assert messages.count() == 1 and "退回修改" in messages.get().title
    sms = SmsMessage.objects.filter(mobile="13800000201", text__contains="通知测试认证")
    assert sms.count() == 1 and sms.get().schema_name == "harbin"


def test_the_worker_reminds_an_on_site_deadline_once(celery_worker, settings, tmp_path):
    """The daily on-site reminder (beat's `remind-onsite-deadlines`) run by the real worker in harbin, twice: a
    rectification due in two days is reminded to the applicant once (message and SMS), whatever the redelivery."""
    import datetime
    import threading

    from django.db import connections
    from django.utils import timezone

    from shared_apps.accounts.models import SmsMessage
    from tenant_apps.notifications.models import Message
    from tenant_apps.pilots.models import OnSiteVisit
    from tenant_apps.pilots.tasks import remind_onsite_deadlines
    from tests.pilots_factories import acceptance_submitted, admitted_enterprise, bureau, decide

    settings.MEDIA_ROOT = tmp_path
    made = {}

    def concluded_committed():  # its own connection: committed, so the worker reads it
        from tenant_apps.pilots import onsite

        try:
            with schema_context("harbin"):
                member = admitted_enterprise(91)
                acceptance = acceptance_submitted(member)
                decide(acceptance)  # 材料审核
                onsite.visit_book(
                    membership=bureau(),
                    acceptance_id=acceptance.pk,
                    scheduled_at=timezone.now() + datetime.timedelta(days=1),
                    place="车间",
                    contact_name="王处长",
                    contact_phone="0451-86660200",
                )
                onsite.visit_conclude(
                    membership=bureau(),
                    acceptance_id=acceptance.pk,
                    conclusion="fail",
                    note="数据采集未覆盖全部设备",
                    deadline=timezone.localdate() + datetime.timedelta(days=2),
                )
                made.update(user=member.user_id, mobile=member.user.mobile, visit=acceptance.visits.get().pk)
        finally:
            connections.close_all()

    def deadline_met_committed():  # the committed deadline must not reach later tests' reminder runs
        try:
            with schema_context("harbin"):
                OnSiteVisit.objects.filter(pk=made["visit"]).update(resolved_at=timezone.now())
        finally:
            connections.close_all()

    thread = threading.Thread(target=concluded_committed)
    thread.start()
    thread.join()
    try:
        with schema_context("harbin"):
            first, second = remind_onsite_deadlines.delay(), remind_onsite_deadlines.delay()
        connection.set_schema_to_public()
        assert first.get(timeout=90) + second.get(timeout=90) >= 1
        with schema_context("harbin"):
            visit = OnSiteVisit.objects.get(pk=made["visit"])
            reminders = Message.objects.filter(user_id=made["user"], source_key__startswith=f"onsite-due:{visit.pk}:")
            assert reminders.count() == 1 and "将于" in reminders.get().title
            assert visit.reminded_on == timezone.localdate()
        assert SmsMessage.objects.filter(mobile=made["mobile"], text__contains="现场验收整改期限").count() == 1
    finally:
        cleanup = threading.Thread(target=deadline_met_committed)
        cleanup.start()
        cleanup.join()
