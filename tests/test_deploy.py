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


def test_nginx_overwrites_the_forwarded_for_header_and_django_trusts_one_proxy(compose):
    """Appending ($proxy_add_x_forwarded_for) keeps whatever the client sent; per-IP caps must not read that."""
    conf = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf
    for name in ("web", "worker", "beat", "migrate"):
        assert compose["services"][name]["environment"]["PLATFORM_TRUSTED_PROXIES"] == "1"


def test_database_pools_fit_under_the_postgres_connection_limit(compose):
    """Every app process keeps its own pool: their sum must stay below PostgreSQL's max_connections (default 100)."""
    services = compose["services"]
    pool = int(services["web"]["environment"]["PLATFORM_DB_POOL_MAX"])
    web = services["web"]["command"]
    web_processes = int(web[web.index("--workers") + 1])
    threads = int(web[web.index("--threads") + 1])
    worker = services["worker"]["command"]
    worker_processes = int(worker[worker.index("--concurrency") + 1])
    assert threads <= pool  # every gunicorn thread gets a connection without waiting
    assert (web_processes + worker_processes + 1) * pool < 100
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["PLATFORM_DB_POOL_MAX"] == str(pool)


def test_settings_use_a_bounded_pool_and_no_persistent_connections(settings):
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] == 0
    assert 0 < database["OPTIONS"]["pool"]["max_size"] == settings.DB_POOL_MAX
    assert settings.WEB_THREADS <= settings.DB_POOL_MAX


def test_the_demo_serves_with_waitress_not_the_development_server():
    demo = (DEPLOY.parent / "tenants" / "management" / "commands" / "demo.py").read_text()
    assert "runserver" not in demo and "web_server(" in demo
