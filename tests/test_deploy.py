"""The compose file cannot be started here (no Docker engine); check its wiring instead."""

from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_every_runtime_piece_is_a_service(compose):
    assert {"postgres", "redis", "minio", "web", "worker", "beat", "nginx", "migrate"} <= set(compose["services"])


@pytest.mark.parametrize("name", ["web", "worker", "beat", "migrate"])
def test_app_services_share_the_image_and_point_at_the_stack(compose, name):
    service = compose["services"][name]
    env = service["environment"]
    assert service["image"] == "pilot-platform:latest"
    assert service["build"]["dockerfile"] == "deploy/Dockerfile"
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["S3_ACCESS_KEY"] == compose["services"]["minio"]["environment"]["MINIO_ROOT_USER"]
    assert env["S3_SECRET_KEY"] == compose["services"]["minio"]["environment"]["MINIO_ROOT_PASSWORD"]
    assert env["DJANGO_DEBUG"] == "false"
    assert "DJANGO_SECRET_KEY" in env


def test_database_credentials_match_the_postgres_service(compose):
    pg = compose["services"]["postgres"]["environment"]
    url = compose["services"]["web"]["environment"]["DATABASE_URL"]
    assert url == f"postgres://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/{pg['POSTGRES_DB']}"


def test_commands_run_the_right_processes(compose):
    services = compose["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "migrate_schemas" in services["migrate"]["command"][-1]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_nginx_forwards_every_subdomain_with_its_host(compose):
    nginx = compose["services"]["nginx"]
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in nginx["volumes"]
    conf = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_set_header Host $host;" in conf
    assert "server web:8000;" in conf
    assert "server_name ~^" in conf  # wildcard: base domain and all tenant subdomains


def test_dockerfile_installs_the_project_and_its_apps():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for folder in ("config", "tenants", "shared_apps", "tenant_apps", "cms", "platform"):
        assert f"COPY {folder} {folder}" in dockerfile
    assert "collectstatic" in dockerfile
