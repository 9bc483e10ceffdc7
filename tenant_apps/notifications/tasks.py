"""Celery tasks of the outbox (ADR 0027, docs/tasks.md). Both are safe to run twice: delivery is stamped under the
event's row lock, the relay only publishes (a duplicate publish is a duplicate delivery, which does nothing)."""

from celery import shared_task


@shared_task(
    name="notifications.outbox_deliver",
    acks_late=True,  # acknowledged after it ran: a worker killed mid-task hands the message back
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=True,
)
def outbox_deliver(event_id: int) -> bool:
    from tenant_apps.notifications import outbox

    return outbox.outbox_deliver(event_id)


@shared_task(name="notifications.outbox_relay", acks_late=True, reject_on_worker_lost=True)
def outbox_relay() -> dict:
    """Beat's `relay-outbox`, in every serving tenant: publish what the fast path could not."""
    from tenant_apps.notifications import outbox

    return outbox.outbox_relay()
