"""Work on a connection of its own: what a thread does commits outside the test's transaction, as a second request
or a second reviewer would (races, and data a live server must see)."""

import threading

from django.db import connections
from django_tenants.utils import schema_context


def in_thread(target, schema: str = "harbin"):
    """Start `target()` in `schema` on a new thread; returns (thread, outcome) with outcome["value"|"error"]."""
    outcome = {}

    def run():
        try:
            with schema_context(schema):
                outcome["value"] = target()
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome
