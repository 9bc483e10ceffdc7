"""Tenant-aware Celery: a task sent while serving `harbin` carries `_schema_name` and runs in `harbin`."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("pilot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks declared safe to run twice (docs/tasks.md) set `acks_late` + `reject_on_worker_lost`: the broker keeps the
# message until the task finished, and a worker process killed mid-task hands it back. Each process reserves only the
# message it runs, so a lost worker delays no more than that one.
app.conf.worker_prefetch_multiplier = 1
