"""The compose file cannot be started here (no Docker engine); check its wiring instead. The dependency audit's
decision (deploy/audit.py) is checked on pip-audit reports written here, without network."""

import importlib.util
import json
import tomllib
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


# Dependency audit (deploy/audit.py): the decision on pip-audit's JSON report, without network.


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("dependency_audit", DEPLOY / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(*dependencies):
    """pip-audit's `--format json` shape (pip_audit/_format/json.py)."""
    return {
        "dependencies": [{"name": "pilot-platform", "skip_reason": "distribution marked as editable"}, *dependencies]
    }


def _dependency(name, version, *vulns):
    return {"name": name, "version": version, "vulns": list(vulns)}


def _vuln(vuln_id, fixes, aliases=(), description="Something bad."):
    return {"id": vuln_id, "fix_versions": list(fixes), "aliases": list(aliases), "description": description}


def test_a_vulnerability_with_a_fixed_version_fails_the_audit(audit):
    report = _report(
        _dependency("django", "5.2.1", _vuln("PYSEC-2025-47", ["5.2.2", "5.1.10"], ["CVE-2025-48432"])),
        _dependency("redis", "5.2.0"),
    )
    verdict = audit.decide(report, {})
    assert verdict.failed
    assert verdict.fixable == ["django 5.2.1 PYSEC-2025-47"]
    assert any(line.startswith("FIXABLE") and "5.2.2" in line and "CVE-2025-48432" in line for line in verdict.lines)
    assert "FAILED" in verdict.lines[-1] and "2 audited" in verdict.lines[-1]


def test_a_vulnerability_without_a_fix_is_reported_and_passes(audit):
    report = _report(_dependency("python-docx", "1.1.2", _vuln("GHSA-aaaa-bbbb-cccc", [])))
    verdict = audit.decide(report, {})
    assert not verdict.failed
    assert verdict.unfixable == ["python-docx 1.1.2 GHSA-aaaa-bbbb-cccc"]
    assert any(line.startswith("NO FIX") and "GHSA-aaaa-bbbb-cccc" in line for line in verdict.lines)
    assert verdict.lines[-1].endswith("OK.")


def test_an_ignored_id_or_alias_passes_with_its_reason_and_the_rest_still_fails(audit):
    report = _report(
        _dependency("pypdf", "4.0.0", _vuln("PYSEC-2024-1", ["4.0.2"], ["CVE-2024-0001"])),
        _dependency("wagtail", "7.0", _vuln("GHSA-wwww-xxxx-yyyy", ["7.0.1"])),
    )
    accepted = audit.decide(report, {"cve-2024-0001": "we never parse outlines", "GHSA-wwww-xxxx-yyyy": "admin only"})
    assert not accepted.failed
    assert accepted.ignored == ["pypdf 4.0.0 PYSEC-2024-1", "wagtail 7.0 GHSA-wwww-xxxx-yyyy"]
    assert any("IGNORED" in line and "we never parse outlines" in line for line in accepted.lines)

    partly = audit.decide(report, {"PYSEC-2024-1": "we never parse outlines"})
    assert partly.failed and partly.fixable == ["wagtail 7.0 GHSA-wwww-xxxx-yyyy"]


def test_an_unreachable_service_warns_and_passes(audit):
    verdict = audit.decide(None, {}, service_error="ConnectionError: Max retries exceeded")
    assert not verdict.failed
    assert verdict.warnings and "could not be completed" in verdict.warnings[0]
    assert "Max retries exceeded" in verdict.lines[0]


def test_a_service_without_data_for_any_release_warns_and_passes(audit):
    """PyPI answering 404 for every release is no audit: it must say so rather than report 'no vulnerabilities'."""
    report = _report(
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.1)"},
        {"name": "redis", "skip_reason": "Dependency not found on PyPI and could not be audited: redis (5.2.0)"},
    )
    verdict = audit.decide(report, {"GHSA-wwww-xxxx-yyyy": "kept"})
    assert not verdict.failed
    assert len(verdict.warnings) == 1 and "nothing was audited" in verdict.warnings[0]
    assert "NOT AUDITED" in verdict.lines[-1]


def test_the_project_itself_is_never_audited(audit):
    """Not on PyPI: even if pip-audit looked a same-named project up, its findings are not ours."""
    report = {"dependencies": [_dependency("Pilot_Platform", "0.1.0", _vuln("PYSEC-2099-1", ["0.2"]))]}
    verdict = audit.decide(report, {})
    assert not verdict.failed and not verdict.fixable


def test_a_stale_ignore_entry_is_pointed_out(audit):
    verdict = audit.decide(_report(_dependency("redis", "5.2.0")), {"GHSA-gone-gone-gone": "fixed upstream"})
    assert not verdict.failed
    assert any("GHSA-gone-gone-gone" in line and "no longer reported" in line for line in verdict.lines)


def test_ignore_entries_need_a_reason_and_the_committed_file_loads(audit, tmp_path):
    path = tmp_path / "ignore.toml"
    path.write_text('[[ignore]]\nid = "GHSA-aaaa-bbbb-cccc"\nreason = "not reachable from our code"\n')
    assert audit.load_ignores(path) == {"GHSA-aaaa-bbbb-cccc": "not reachable from our code"}
    path.write_text('[[ignore]]\nid = "GHSA-aaaa-bbbb-cccc"\nreason = " "\n')
    with pytest.raises(ValueError, match="reason"):
        audit.load_ignores(path)
    assert isinstance(audit.load_ignores(), dict)  # deploy/audit-ignore.toml parses and every entry has its reason


def _fake_python(tmp_path, script):
    """Stands in for `python -m pip_audit …`: $5 is `--output`, $6 its path (run_pip_audit's argument order)."""
    path = tmp_path / "python"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


def test_run_pip_audit_reads_the_report_even_when_pip_audit_exits_1_for_findings(audit, tmp_path):
    report = _report(_dependency("django", "5.2.1", _vuln("PYSEC-2025-47", ["5.2.2"])))
    python = _fake_python(
        tmp_path, f'[ "$5" = --output ] || exit 3\ncat > "$6" <<\'JSON\'\n{json.dumps(report)}\nJSON\nexit 1\n'
    )
    assert audit.run_pip_audit(python) == (report, None)


def test_run_pip_audit_turns_a_crash_without_report_into_a_service_error(audit, tmp_path):
    python = _fake_python(
        tmp_path,
        "echo 'Traceback (most recent call last):' >&2\necho 'requests.exceptions.ConnectionError: boom' >&2\nexit 1\n",
    )
    assert audit.run_pip_audit(python) == (None, "requests.exceptions.ConnectionError: boom")


def test_run_pip_audit_refuses_wrong_arguments_instead_of_warning(audit, tmp_path):
    with pytest.raises(RuntimeError, match="arguments"):
        audit.run_pip_audit(_fake_python(tmp_path, "echo 'pip-audit: error: unrecognized arguments' >&2\nexit 2\n"))


def test_ci_audits_with_the_dev_extra_and_keeps_the_readme_test_command():
    ci = (DEPLOY.parent / ".ci" / "run").read_text()
    assert "\npython3 deploy/dev.py audit\n" in ci
    assert "\npython3 deploy/dev.py test " in ci
    dev = tomllib.loads((DEPLOY.parent / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    assert any(requirement.startswith("pip-audit") for requirement in dev)
