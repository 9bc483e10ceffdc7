"""Tenant-aware Celery: a task sent while serving `harbin` carries `_schema_name` and runs in `harbin`."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("pilot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
