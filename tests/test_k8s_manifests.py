"""deploy/k8s/ is checked without a cluster: every object against the Kubernetes OpenAPI schemas that
kubernetes-validate ships (offline, strict: an unknown or misspelt field fails), and the wiring between the
manifests and the code (configuration variables, probe paths, beat's single replica, the connection budget)."""

from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.urls import Resolver404

from config import health

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
# The oldest Kubernetes still in upstream support when this was written; strict schemas of that release.
KUBERNETES_VERSION = "1.31"
# Read by settings but never set in a cluster: other names for S3_* (one spelling is enough) and the embedded
# database's name, used only when DATABASE_URL is unset.
NOT_CONFIGURED_IN_CLUSTER = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "PLATFORM_DB_NAME",
}
# What PostgreSQL must allow (README.md in deploy/k8s, "Connections") when every HPA is at its maximum.
MAX_CONNECTIONS_BUDGET = 250


def _documents() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                found.append((path.name, document))
    return found


DOCUMENTS = _documents()


def _objects(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _, doc in DOCUMENTS if doc["kind"] == kind}


def _containers():
    for kind in ("Deployment", "Job"):
        for name, doc in _objects(kind).items():
            for container in doc["spec"]["template"]["spec"]["containers"]:
                yield f"{kind}/{name}", container


def _settings_variables() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    pattern = r"""(?:os\.environ(?:\.get)?\s*[\[(]|env_(?:bool|list)\()\s*["']([A-Z][A-Z0-9_]+)["']"""
    return set(re.findall(pattern, source))


@pytest.mark.parametrize(
    ("filename", "document"),
    [pytest.param(f, d, id=f"{f}:{d['kind']}/{d['metadata']['name']}") for f, d in DOCUMENTS],
)
def test_every_object_is_valid_against_the_kubernetes_schema(filename, document):
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_validator_refuses_a_misspelt_field():
    """The check above is worth something: strict mode rejects what kubectl would reject."""
    web = _objects("Deployment")["pilot-web"]
    broken = yaml.safe_load(yaml.safe_dump(web))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {"path": "/readyz"}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_pieces_of_the_issue_are_all_there():
    kinds = {(doc["kind"], doc["metadata"]["name"]) for _, doc in DOCUMENTS}
    assert {
        ("Namespace", "pilot"),
        ("ConfigMap", "pilot-config"),
        ("Secret", "pilot-secrets"),
        ("Deployment", "pilot-web"),
        ("Deployment", "pilot-worker"),
        ("Deployment", "pilot-beat"),
        ("Job", "pilot-migrate"),
        ("Service", "pilot-web"),
        ("Ingress", "pilot-web"),
        ("HorizontalPodAutoscaler", "pilot-web"),
        ("HorizontalPodAutoscaler", "pilot-worker"),
        ("PodDisruptionBudget", "pilot-web"),
        ("PodDisruptionBudget", "pilot-worker"),
    } <= kinds
    assert all(doc["metadata"].get("namespace", "pilot") == "pilot" for _, doc in DOCUMENTS)


def test_every_variable_the_settings_read_is_configured():
    config = _objects("ConfigMap")["pilot-config"]["data"]
    secret = _objects("Secret")["pilot-secrets"]["stringData"]
    read = _settings_variables()
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY"} <= read  # the pattern finds them
    missing = read - NOT_CONFIGURED_IN_CLUSTER - set(config) - set(secret)
    assert not missing, f"settings read {sorted(missing)}: add them to deploy/k8s/configmap.yaml or the Secret"
    assert not set(config) & set(secret)
    # Secrets never sit in the ConfigMap.
    for name in config:
        assert not re.search(r"SECRET|PASSWORD|_KEY$|DATABASE_URL|BROKER_URL|BACKEND$|CACHE_URL", name) or name in {
            "PLATFORM_SMS_BACKEND"
        }, name
    assert all(isinstance(value, str) for value in config.values())  # a ConfigMap holds strings only


def test_every_container_gets_the_whole_configuration():
    for where, container in _containers():
        refs = {
            ("configMap", (entry.get("configMapRef") or {}).get("name"))
            if "configMapRef" in entry
            else ("secret", entry["secretRef"]["name"])
            for entry in container["envFrom"]
        }
        assert refs == {("configMap", "pilot-config"), ("secret", "pilot-secrets")}, where
        assert container["image"] == "pilot-platform:latest", where  # rollout.sh substitutes the release


def test_beat_runs_exactly_once():
    beat = _objects("Deployment")["pilot-beat"]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    targets = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in _objects("HorizontalPodAutoscaler").values()}
    assert targets == {"pilot-web", "pilot-worker"}
    assert beat["spec"]["template"]["spec"]["containers"][0]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_web_probes_point_at_the_health_endpoints_and_the_service_port():
    web = _objects("Deployment")["pilot-web"]
    container = web["spec"]["template"]["spec"]["containers"][0]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert container["livenessProbe"]["httpGet"]["path"] == health.LIVENESS_PATH
    assert container["startupProbe"]["httpGet"]["path"] == health.LIVENESS_PATH
    assert container["readinessProbe"]["httpGet"]["path"] == health.READINESS_PATH
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["port"] in ports
        assert "httpHeaders" not in container[probe]["httpGet"]  # the pod IP as Host must do (config/health.py)
    # Both checks fit inside the readiness probe's timeout.
    assert health.CHECK_TIMEOUT * len(health.CHECKS) < container["readinessProbe"]["timeoutSeconds"]
    assert f"--bind=0.0.0.0:{ports['http']}" in container["command"]
    assert container["command"][:2] == ["gunicorn", "config.wsgi:application"]
    # The probe paths are not tenant URLs that a page could shadow.
    from django.urls import resolve

    for path in PROBE_PATHS:
        with pytest.raises(Resolver404):
            resolve(path, urlconf="config.urls_public")
    service = _objects("Service")["pilot-web"]
    assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] in ports


PROBE_PATHS = (health.LIVENESS_PATH, health.READINESS_PATH)


def test_selectors_match_their_pods():
    for name, deployment in _objects("Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
    for name, pdb in _objects("PodDisruptionBudget").items():
        deployment = _objects("Deployment")[name]
        assert pdb["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
        assert pdb["spec"]["minAvailable"] < _objects("HorizontalPodAutoscaler")[name]["spec"]["minReplicas"]


def test_the_ingress_routes_the_base_domain_and_every_subdomain_over_tls():
    ingress = _objects("Ingress")["pilot-web"]
    base = _objects("ConfigMap")["pilot-config"]["data"]["PLATFORM_BASE_DOMAIN"]
    hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
    assert hosts == {base, f"*.{base}"}
    assert set(ingress["spec"]["tls"][0]["hosts"]) == hosts
    assert ingress["spec"]["tls"][0]["secretName"]
    for rule in ingress["spec"]["rules"]:
        backend = rule["http"]["paths"][0]["backend"]["service"]
        assert backend["name"] == "pilot-web" and backend["port"]["name"] == "http"


def test_the_migration_job_migrates_every_schema_straight_to_postgresql():
    job = _objects("Job")["pilot-migrate"]
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert "migrate_schemas --noinput" in container["command"][-1]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    direct = {entry["name"]: entry for entry in container["env"]}["DATABASE_URL"]
    assert direct["valueFrom"]["secretKeyRef"]["key"] in _objects("Secret")["pilot-secrets"]["stringData"]
    assert int(_objects("ConfigMap")["pilot-config"]["data"]["TENANT_MIGRATION_WORKERS"]) >= 2
    rollout = (K8S / "rollout.sh").read_text()
    # Ordered: the Job completes before any Deployment is applied.
    assert rollout.index("migrate-job.yaml") < rollout.index("web.yaml")
    assert "Complete" in rollout and "exit 1" in rollout


def test_kustomization_applies_everything_long_lived():
    """Not the Job (rollout.sh runs it first) nor the example Secret (made from real values)."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {path.name for path in K8S.glob("*.yaml")} - {
        "kustomization.yaml",
        "migrate-job.yaml",
        "secret.example.yaml",
    }
    assert set(kustomization["resources"]) == files


def _flag(command: list[str], name: str) -> int:
    for part in command:
        if part.startswith(f"{name}="):
            return int(part.split("=", 1)[1])
    raise AssertionError(f"{name} not in {command}")


def test_connections_at_full_scale_fit_the_documented_budget():
    """Every process keeps its own pool: web pods × gunicorn workers + worker pods × (children + the main process)
    + beat + the migration Job's processes, each up to PLATFORM_DB_POOL_MAX connections."""
    config = _objects("ConfigMap")["pilot-config"]["data"]
    pool = int(config["PLATFORM_DB_POOL_MAX"])
    deployments = _objects("Deployment")
    hpas = _objects("HorizontalPodAutoscaler")
    web = deployments["pilot-web"]["spec"]["template"]["spec"]["containers"][0]["command"]
    worker = deployments["pilot-worker"]["spec"]["template"]["spec"]["containers"][0]["command"]
    assert _flag(web, "--threads") <= pool
    processes = (
        hpas["pilot-web"]["spec"]["maxReplicas"] * _flag(web, "--workers")
        + hpas["pilot-worker"]["spec"]["maxReplicas"] * (_flag(worker, "--concurrency") + 1)
        + 1
        + int(config["TENANT_MIGRATION_WORKERS"])
    )
    assert processes * pool <= MAX_CONNECTIONS_BUDGET
    readme = (K8S / "README.md").read_text()
    assert f"max_connections` ≥ {MAX_CONNECTIONS_BUDGET}" in readme.replace("**", "")
