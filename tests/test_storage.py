"""Files live under the tenant's prefix, on local disk by default and on S3/MinIO when configured."""

import boto3
import pytest
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer

from tenants.storage import TenantFileSystemStorage, TenantS3Storage

pytestmark = pytest.mark.django_db


def test_local_files_land_under_the_current_schema(tenant_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    storage = TenantFileSystemStorage()
    with tenant_schema("harbin"):
        name = storage.save("admission/audit-report.pdf", ContentFile(b"%PDF-1.4 harbin"))
        assert storage.exists(name)
    assert (tmp_path / "harbin" / name).read_bytes() == b"%PDF-1.4 harbin"
    with tenant_schema("jiangmen"):
        assert not storage.exists(name)


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3-compatible HTTP server on loopback (moto's server mode); boto3 talks to it over the network."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_s3_round_trip_under_the_tenant_prefix(s3_endpoint, tenant_schema):
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=s3_endpoint, **credentials)
    client.create_bucket(Bucket="pilot-files")
    storage = TenantS3Storage(
        bucket_name="pilot-files",
        endpoint_url=s3_endpoint,
        access_key="test",
        secret_key="test",
        region_name="us-east-1",
        default_acl=None,
        file_overwrite=False,
    )
    with tenant_schema("harbin"):
        name = storage.save("certification/licence.png", ContentFile(b"\x89PNG harbin licence"))
        with storage.open(name) as handle:
            assert handle.read() == b"\x89PNG harbin licence"
        assert "X-Amz-Signature" in storage.url(name) or "Signature" in storage.url(name)
    with tenant_schema("jiangmen"):
        assert not storage.exists(name)
        storage.save("certification/licence.png", ContentFile(b"jiangmen"))
    keys = sorted(obj["Key"] for obj in client.list_objects_v2(Bucket="pilot-files")["Contents"])
    assert keys == ["harbin/certification/licence.png", "jiangmen/certification/licence.png"]


def test_settings_switch_to_s3_when_a_bucket_is_configured(monkeypatch):
    import importlib

    import config.settings as platform_settings

    monkeypatch.setenv("S3_BUCKET", "pilot-files")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    try:
        reloaded = importlib.reload(platform_settings)
        assert reloaded.STORAGES["default"]["BACKEND"] == "tenants.storage.TenantS3Storage"
        assert reloaded.STORAGES["default"]["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    finally:
        monkeypatch.delenv("S3_BUCKET")
        importlib.reload(platform_settings)
