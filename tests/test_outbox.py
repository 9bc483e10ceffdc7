"""The transactional outbox in-process (ADR 0027): events live and die with their transaction, delivery runs a
handler once, the relay publishes only what is due and stops cleanly while the broker is down. The real worker,
broker outage and killed process are in tests/test_faults.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from tenant_apps.notifications import outbox
from tenant_apps.notifications.models import Message, OutboxEvent
from tests.test_faults import _free_port, broker_url

pytestmark = pytest.mark.django_db
PROBE = "tenants.tasks.current_schema"  # a harmless handler: it only reports the schema it ran in


@pytest.fixture
def eager(django_capture_on_commit_callbacks):
    """On-commit hooks fire and published tasks run at once, in-process (as tests/test_messages.py)."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


def test_an_event_rolled_back_with_its_change_is_never_sent(tenant_schema, django_capture_on_commit_callbacks):
    with tenant_schema("harbin"), django_capture_on_commit_callbacks() as hooks:
        with pytest.raises(RuntimeError), transaction.atomic():
            event = outbox.outbox_enqueue(PROBE)
            raise RuntimeError("the decision failed")
        assert not OutboxEvent.objects.filter(pk=event.pk).exists()
    assert hooks == []  # nothing to publish


def test_a_decision_is_delivered_once_however_often_its_event_is_delivered(tenant_schema, eager):
    from tenant_apps.organisations.models import Membership
    from tenant_apps.workflow import services

    with tenant_schema("harbin"):
        user = get_user_model().objects.get(username="hrb_enterprise")
        with eager():
            application = services.application_create(kind="certification", applicant=user, title="发件箱测试")
            application = services.application_submit(application=application, actor=user)
        bureau = Membership.objects.select_related("organisation").get(user__username="hrb_bureau")
        with eager():
            services.task_decide(
                task_id=application.tasks.get(state="open").pk, membership=bureau, action="reject", opinion="不符合条件"
            )
        events = OutboxEvent.objects.filter(handler="tenant_apps.workflow.tasks.notify_applicant").order_by("-pk")
        event = events[0]
        assert event.delivered_at is not None and event.attempts == 1
        key = f"workflow-log:{event.args[0]}"
        assert Message.objects.filter(source_key=key).count() == 1
        assert outbox.outbox_deliver(event.pk) is False  # a redelivery
        assert Message.objects.filter(source_key=key).count() == 1


def test_the_relay_publishes_what_is_due_in_one_pass_of_queries(tenant_schema, django_assert_max_num_queries):
    """Not eager: the relay really hands the events to the test broker (this run's private queue)."""
    now = timezone.now()
    with tenant_schema("harbin"):
        fresh = [OutboxEvent.objects.create(handler=PROBE) for _ in range(12)]
        recent = OutboxEvent.objects.create(handler=PROBE, published_at=now, attempts=1)
        stale = OutboxEvent.objects.create(handler=PROBE, published_at=now - timedelta(hours=1), attempts=1)
        done = OutboxEvent.objects.create(handler=PROBE, published_at=now, attempts=1, delivered_at=now)
        given_up = OutboxEvent.objects.create(handler=PROBE, attempts=outbox.MAX_ATTEMPTS)

        with broker_url(f"redis://127.0.0.1:{_free_port()}/0"):  # nobody listens there: the broker is down
            down = outbox.outbox_relay()
        assert down["error"] and down["published"] == 0
        assert not OutboxEvent.objects.filter(pk__in=[e.pk for e in fresh], published_at__isnull=False).exists()

        with django_assert_max_num_queries(8):  # select, stamp, prune (+ savepoints), however many are due
            outcome = outbox.outbox_relay()
        assert outcome["error"] == "" and outcome["published"] >= 13
        for event in [*fresh, stale]:
            event.refresh_from_db()
            assert event.published_at > now - timedelta(minutes=1) and event.delivered_at is None
        assert stale.attempts == 2
        for event in (recent, done, given_up):
            before = (event.attempts, event.published_at, event.delivered_at)
            event.refresh_from_db()
            assert (event.attempts, event.published_at, event.delivered_at) == before  # not due: untouched

        assert outbox.outbox_deliver(stale.pk) is True  # what the worker does with the message
        assert outbox.outbox_deliver(stale.pk) is False  # and with a duplicate of it


def test_every_notification_handler_may_run_twice_and_says_so(settings):
    """Each handler a module hands to `outbox_enqueue` is a task declared safe to redeliver (late ack, handed back
    when its worker dies) with its row in docs/tasks.md; found in the source, so a new handler is checked too."""
    import re

    from django.utils.module_loading import import_string

    handlers = set()
    for folder in ("tenant_apps", "shared_apps"):
        for path in (settings.BASE_DIR / folder).rglob("*.py"):
            handlers |= set(re.findall(r'outbox_enqueue\(\s*"([\w.]+)"', path.read_text(encoding="utf-8")))
    assert {
        "tenant_apps.marketplace.listings.notify_delisted",
        "tenant_apps.pilots.tasks.notify_onsite_booking",
        "tenant_apps.workflow.tasks.notify_applicant",
    } <= handlers
    documented = (settings.BASE_DIR / "docs" / "tasks.md").read_text(encoding="utf-8")
    for dotted in sorted(handlers):
        task = import_string(dotted)
        assert task.acks_late and task.reject_on_worker_lost, dotted
        assert f"| `{task.name}` | yes |" in documented, dotted
