"""File storage under a per-tenant prefix (`<schema>/<app>/…`), computed per call, never cached."""

from django.db import connection
from django_tenants.files.storage import TenantFileSystemStorage  # noqa: F401 - local default, re-exported
from storages.backends.s3 import S3Storage


class TenantS3Storage(S3Storage):
    """S3/MinIO storage whose key prefix is the current schema at the time of each call."""

    @property
    def location(self) -> str:
        return connection.schema_name

    @location.setter
    def location(self, value) -> None:  # S3Storage assigns its settings in __init__; the prefix is ours
        pass
