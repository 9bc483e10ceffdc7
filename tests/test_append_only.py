"""Security events, audit entries and the work-order log are append-only in every admin and in the database (a
trigger refuses UPDATE/DELETE); rows past the retention window (≥ 180 days) are archived to storage before they
are pruned."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from shared_apps.accounts.models import SecurityEvent
from shared_apps.oversight.models import AuditEntry
from shared_apps.oversight.services import audit_archive, audit_record, audit_retention_days
from tenant_apps.workflow import services as workflow
from tenant_apps.workflow.models import Application, LogEntry

pytestmark = pytest.mark.django_db
User = get_user_model()


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except DatabaseError as error:
        return "append-only" in str(error)
    return False


@pytest.fixture
def event():
    return SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN_FAILED, identifier="probe", schema_name="public")


@pytest.fixture
def entry():
    return audit_record(action=AuditEntry.Action.UPDATE, target_label="某配置", changes={"x": [1, 2]})


def test_security_events_cannot_be_changed_or_deleted_through_the_orm(event):
    event.detail = "rewritten"
    assert refused(event.save)
    assert refused(event.delete)
    assert refused(lambda: SecurityEvent.objects.filter(pk=event.pk).update(identifier="x"))
    assert refused(lambda: SecurityEvent.objects.filter(pk=event.pk).delete())
    assert SecurityEvent.objects.get(pk=event.pk).identifier == "probe"


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm(entry):
    assert refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(target_label="改写"))
    assert refused(entry.delete)
    assert AuditEntry.objects.filter(pk=entry.pk, target_label="某配置").exists()


def test_work_order_log_cannot_be_changed_or_deleted_in_a_cloned_tenant(tenant_schema):
    with tenant_schema("harbin"):
        user = User.objects.get(username="hrb_enterprise")
        application = workflow.application_submit(
            application=workflow.application_create(kind="certification", applicant=user, title="认证申请"),
            actor=user,
        )
        log = application.log.get()
        assert refused(lambda: LogEntry.objects.filter(pk=log.pk).update(opinion="改写"))
        assert refused(log.delete)
        assert refused(lambda: Application.objects.filter(pk=application.pk).delete())  # no cascade either
        assert LogEntry.objects.filter(pk=log.pk, opinion="").exists()


def test_only_unlinking_an_erased_person_passes_the_trigger():
    """What `on_delete=SET_NULL` does when a person is erased: the link goes, the row stays as it was."""
    user = User.objects.create_user("leaving_person", mobile="13912340002")
    event = SecurityEvent.objects.create(kind=SecurityEvent.Kind.REGISTERED, user=user, schema_name="public")
    entry = audit_record(action=AuditEntry.Action.CREATE, target_label="x", actor=user)
    assert refused(lambda: SecurityEvent.objects.filter(pk=event.pk).update(user=None, detail="x"))
    assert refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(actor=None, target_label="y"))
    SecurityEvent.objects.filter(pk=event.pk).update(user=None)
    AuditEntry.objects.filter(pk=entry.pk).update(actor=None)
    event.refresh_from_db()
    entry.refresh_from_db()
    assert event.user_id is None and event.kind == SecurityEvent.Kind.REGISTERED
    assert entry.actor_id is None and entry.target_label == "x"


def test_no_admin_offers_change_or_delete_even_to_a_superuser(tenant_client, event, entry):
    root = User.objects.create_superuser("platform_root", mobile="13912340003", password="x")
    admin = tenant_client(None)
    admin.force_login(root)
    for model, row in (("accounts/securityevent", event), ("oversight/auditentry", entry)):
        assert admin.get(f"/django-admin/{model}/").status_code == 200
        assert admin.get(f"/django-admin/{model}/{row.pk}/delete/").status_code == 403, model
        assert admin.post(f"/django-admin/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403, model
        assert admin.get(f"/django-admin/{model}/add/").status_code == 403, model
        listing = admin.post(f"/django-admin/{model}/", {"action": "delete_selected", "_selected_action": [row.pk]})
        assert listing.status_code in (200, 302)
        assert "delete_selected" not in admin.get(f"/django-admin/{model}/").content.decode()
    assert SecurityEvent.objects.filter(pk=event.pk).exists() and AuditEntry.objects.filter(pk=entry.pk).exists()


def read_archive(tmp_path, schema: str, label: str) -> list[dict]:
    files = sorted((tmp_path / schema / "audit-archive" / label).glob("*.jsonl"))
    return [json.loads(line) for file in files for line in file.read_text().splitlines()]


def test_archive_exports_old_rows_to_a_dated_file_before_pruning_them(settings, tmp_path, event, entry):
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()

    # Within the retention window nothing moves.
    assert all(result.rows == 0 for result in audit_archive(now=now + datetime.timedelta(days=179)))
    assert SecurityEvent.objects.filter(pk=event.pk).exists()

    later = now + datetime.timedelta(days=181)
    results = {result.label: result for result in audit_archive(now=later)}
    cutoff = (later - datetime.timedelta(days=180)).date().isoformat()
    assert results["accounts.securityevent"].path == f"audit-archive/accounts.securityevent/{cutoff}.jsonl"
    events = read_archive(tmp_path, "public", "accounts.securityevent")
    assert {"pk": event.pk, "identifier": "probe"} in [
        {"pk": row["pk"], "identifier": row["fields"]["identifier"]} for row in events
    ]
    entries = read_archive(tmp_path, "public", "oversight.auditentry")
    assert any(row["pk"] == entry.pk and row["fields"]["changes"] == {"x": [1, 2]} for row in entries)
    assert results["accounts.securityevent"].pruned == len(events)
    assert not SecurityEvent.objects.filter(pk=event.pk).exists()
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()

    # The pruning flag does not outlive the archive: deletes are refused again.
    fresh = SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN_FAILED, identifier="x", schema_name="public")
    assert refused(fresh.delete)


def test_archive_of_a_tenants_work_order_log_lands_under_its_schema(settings, tmp_path, tenant_schema):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("harbin"):
        logged = LogEntry.objects.count()
        assert logged, "the harbin demo has reviewed applications"
        (result,) = audit_archive(now=timezone.now() + datetime.timedelta(days=181), prune=False)
        assert result.label == "workflow.logentry" and result.rows == logged and result.pruned == 0
        assert LogEntry.objects.count() == logged
    assert len(read_archive(tmp_path, "harbin", "workflow.logentry")) == logged


def test_retention_is_never_below_six_months(settings):
    settings.PLATFORM_AUDIT_RETENTION_DAYS = 30
    assert audit_retention_days() == 180
    settings.PLATFORM_AUDIT_RETENTION_DAYS = 400
    assert audit_retention_days() == 400


def test_archive_command_and_beat_entries(settings, tmp_path, capsys):
    from config.celery import app

    settings.MEDIA_ROOT = tmp_path
    call_command("audit_archive", "--no-prune")
    assert "retention: 180 days" in capsys.readouterr().out
    schedule = app.conf.beat_schedule
    assert schedule["archive-audit-trail"]["task"] == "oversight.archive_audit_trail"
    assert schedule["archive-audit-trail-public"]["tenant_schemas"] == ["public"]
