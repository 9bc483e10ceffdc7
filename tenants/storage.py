"""File storage under a per-tenant prefix (`<schema>/<app>/…`), computed per call, never cached."""

from django.db import connection
from django_tenants.files.storage import TenantFileSystemStorage as _TenantFileSystemStorage
from storages.backends.s3 import S3Storage


class TenantFileSystemStorage(_TenantFileSystemStorage):
    """The local default. django-tenants caches the tenant media root and, passing the wrong argument to its parent,
    never forgets it when MEDIA_ROOT changes (tests that point MEDIA_ROOT elsewhere would write to the old one)."""

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting in ("MEDIA_ROOT", "MEDIA_URL", "MULTITENANT_RELATIVE_MEDIA_ROOT"):
            self.__dict__.pop("relative_media_root", None)
            self.__dict__.pop("relative_media_url", None)


class TenantS3Storage(S3Storage):
    """S3/MinIO storage whose key prefix is the current schema at the time of each call."""

    @property
    def location(self) -> str:
        return connection.schema_name

    @location.setter
    def location(self, value) -> None:  # S3Storage assigns its settings in __init__; the prefix is ours
        pass
