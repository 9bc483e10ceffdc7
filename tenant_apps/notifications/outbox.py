"""The transactional outbox (ADR 0027): notifications are rows written with the change they are about, so a
decision that commits while the broker is down still tells its people once the broker is back.

- `outbox_enqueue` writes the event inside the caller's transaction and publishes it right after commit (fast
  path). A broker outage only leaves the row unpublished.
- `outbox_relay` (beat, every serving tenant) publishes what is undelivered: never published, or published long
  enough ago (`PLATFORM_OUTBOX_REDELIVER_SECONDS`) that the message must have been lost.
- `outbox_deliver` (the worker) runs the handler and stamps the event delivered in one transaction under the
  row's lock: a redelivered, republished or concurrently delivered event runs its handler once.
Run inside the tenant's schema; the task carries the schema (tenant-schemas-celery)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from tenant_apps.notifications.models import OutboxEvent

logger = logging.getLogger(__name__)

# An event handed to the broker this often without being delivered is left for an operator (admin, logs).
MAX_ATTEMPTS = 20
# A message that fails one publish on a stale pooled connection gets one immediate retry on a fresh one; a broker
# that is down fails within milliseconds, never holding the request.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}


def outbox_enqueue(handler: str, *args) -> OutboxEvent:
    """Record `handler(*args)` to run once after the current transaction commits (nothing if it rolls back).
    `handler` is the dotted path of a Celery task or function; `args` must be JSON."""
    # Stamped as published now, so the happy path costs no second write; a failed publish clears the stamp, and a
    # process that dies between commit and publish leaves a stamp the relay treats as lost after the redelivery delay.
    event = OutboxEvent.objects.create(handler=handler, args=list(args), published_at=timezone.now(), attempts=1)
    transaction.on_commit(lambda: _publish_fresh(event.pk))
    return event


def _publish(event_id: int) -> None:
    from tenant_apps.notifications.tasks import outbox_deliver

    outbox_deliver.apply_async((event_id,), retry=True, retry_policy=PUBLISH_RETRY)


def _publish_fresh(event_id: int) -> None:
    try:
        _publish(event_id)
    except Exception:  # noqa: BLE001 - the event stays unpublished; the relay sends it when the broker is back
        logger.warning("outbox event %s not published (broker unavailable?); the relay will", event_id, exc_info=True)
        OutboxEvent.objects.filter(pk=event_id, delivered_at__isnull=True).update(published_at=None, attempts=0)


def outbox_relay(*, limit: int = 500) -> dict:
    """Publish undelivered events, oldest first; stop at the first broker error (the next run resumes). Rows that
    another relay or a delivery holds are skipped, not waited for. Delivered rows older than a week are pruned."""
    now = timezone.now()
    stale = now - timedelta(seconds=getattr(settings, "PLATFORM_OUTBOX_REDELIVER_SECONDS", 600))
    published = []
    error = ""
    with transaction.atomic():
        due = (
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .filter(Q(published_at__isnull=True) | Q(published_at__lt=stale))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        for event_id in due:
            try:
                _publish(event_id)
            except Exception as exc:  # noqa: BLE001 - broker still down: what was published stays published
                error = f"{type(exc).__name__}: {exc}"
                logger.warning("outbox relay stopped at event %s: %s", event_id, error)
                break
            published.append(event_id)
        if published:
            OutboxEvent.objects.filter(pk__in=published).update(published_at=now, attempts=F("attempts") + 1)
    pruned, _ = OutboxEvent.objects.filter(delivered_at__lt=now - timedelta(days=7)).delete()
    return {"schema": connection.schema_name, "published": len(published), "error": error, "pruned": pruned}


def outbox_deliver(event_id: int) -> bool:
    """Run the event's handler and stamp it delivered, atomically; False when it was delivered already (or is
    gone). The handler's writes (messages, the SMS outbox) commit with the stamp or not at all."""
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.delivered_at is not None:
            return False
        import_string(event.handler)(*event.args)
        event.delivered_at = timezone.now()
        event.save(update_fields=["delivered_at"])
    return True
