"""Every preset tenant's OpenAPI schema, fuzzed in-process: schemathesis drives Django's WSGI application.

For each tenant (the host picks it) and each identity — anonymous, and demo members whose roles have data — every
operation of the schema served at /api/schema/ gets generated requests, valid ones and invalid ones. Each answer
must not be a 5xx and must be what the schema documents: status code, content type and body, refusals included
(config/openapi.py documents the one error shape of tenants.errors.api_exception_handler). Bounded for CI: a few
examples per operation, no shrinking phase, derandomized (the same requests every run).

Each request runs in a savepoint of the test's transaction that is rolled back, so what an operation writes (a
registration, a sub-account, a decision, a failed sign-in counted towards a lockout) never reaches the next request
or another test; the throttles count under client addresses no other test uses. Registration needs a solved image
captcha and the API has no SMS endpoint, so nothing leaves the process (checked below).

The schemathesis pytest plugin (`schemathesis.pytest.from_fixture`) does not run under pytest 9 (it sets
`Function._nodeid`), so the tests drive each operation's Hypothesis strategy themselves and report every failing
operation at once.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from dataclasses import dataclass, field

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# (tenant, demo username or None for anonymous, examples per operation). The members see data: the first reviewer
# of each tenant's chains, and in harbin an enterprise with an application in review and a sub-account.
IDENTITIES = [
    ("national", None, 10),
    ("national", "nat_ops", 10),
    ("harbin", None, 10),
    ("harbin", "hrb_bureau", 10),
    ("harbin", "hrb_enterprise", 10),
    ("jiangmen", None, 10),
    ("jiangmen", "jm_enterprise", 10),
]

_raw_schemas: dict[str, dict] = {}
_addresses = itertools.count(1)


def _raw_schema(tenant: str) -> dict:
    """The schema exactly as the tenant host serves it (generated once per tenant and run)."""
    from django.conf import settings

    if tenant not in _raw_schemas:
        response = Client(HTTP_HOST=f"{tenant}.{settings.BASE_DOMAIN}").get("/api/schema/", {"format": "json"})
        assert response.status_code == 200, response.content[:500]
        _raw_schemas[tenant] = response.json()
    return _raw_schemas[tenant]


def _schema(tenant: str):
    schema = schemathesis.openapi.from_dict(_raw_schema(tenant))
    schema.app = WSGIHandler()
    return schema


@dataclass
class Target:
    """Where and as whom the requests go: the tenant's host, a token (or none), a client address of their own."""

    host: str
    headers: dict = field(default_factory=dict)
    address: str = ""

    def call(self, case):
        with transaction.atomic():
            response = case.call(
                base_url=f"http://{self.host}", headers=self.headers, environ_base={"REMOTE_ADDR": self.address}
            )
            transaction.set_rollback(True)
        connection.set_schema_to_public()
        return response


@contextlib.contextmanager
def _keeping_the_test_transaction():
    """What the test client does around each request: Django's handler would otherwise close the connection that
    holds the test's transaction when a request starts and ends. (The test client reconnects the signal after each
    of its own requests, so this wraps only the schemathesis calls.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _harbin_data() -> dict:
    """Rows for the harbin members to see: an enterprise application in review (the enterprise's list, the bureau's
    inbox) without an organisation, as before certification, and a sub-account of the enterprise."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context

    from tenant_apps.organisations import services as organisations
    from tenant_apps.organisations.models import Membership
    from tenant_apps.workflow import services as workflow
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(schema_name="harbin")):  # sub-accounts read the tenant's modules
        applicant = get_user_model().objects.get(username="hrb_enterprise")
        application = workflow.application_create(kind="admission", applicant=applicant, title="模糊测试入库申请")
        workflow.application_submit(application=application, actor=applicant)
        sub_account = organisations.sub_account_create(
            manager=Membership.objects.select_related("organisation").get(user=applicant),
            username="fuzz_sub_account",
            name="模糊测试子账号",
            mobile="13966669901",
            email="",
            password="Fuzz#Sub2026x",
            menu_permissions=["admission"],
        )
        rows = {
            "application": application.pk,
            "task": application.tasks.get(state="open").pk,
            "sub_account": sub_account.pk,
        }
    connection.set_schema_to_public()
    return rows


def _target(tenant: str, username: str | None) -> Target:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from shared_apps.accounts.tokens import api_token_issue

    n = next(_addresses)
    target = Target(host=f"{tenant}.{settings.BASE_DOMAIN}", address=f"10.210.{n // 250 % 250}.{n % 250 + 1}")
    if username:
        _token, key = api_token_issue(get_user_model().objects.get(username=username), label="fuzz")
        target.headers = {"Authorization": f"Token {key}"}
    return target


@pytest.fixture(autouse=True)
def _only_server_errors_logged(caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # each refusal is logged; keep the 5xx tracebacks


def _routed_to_the_api(case) -> bool:
    """Invalid cases may break the path itself (id -1, a module code with spaces): no URL pattern of the API
    matches, so the request never reaches the API and gets the portal's 404 page. Those are not cases of the API."""
    try:
        return resolve(case.formatted_path, urlconf="config.urls_tenant").route.startswith("api/v1/")
    except Resolver404:
        return False


def _fuzz(operation, target: Target, examples: int) -> None:
    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],  # no shrinking: the first failing request is reported as sent
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(
        case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
        | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE).filter(_routed_to_the_api)
    )
    def run(case):
        case.validate_response(target.call(case), checks=CHECKS)

    run()


def _counts() -> tuple:
    """Rows the fuzzed operations could write outside the tenant schema: identities, tokens, security events, SMS."""
    from django.contrib.auth import get_user_model

    from shared_apps.accounts.models import ApiToken, SecurityEvent, SmsMessage

    return (
        get_user_model().objects.count(),
        ApiToken.objects.count(),
        SecurityEvent.objects.count(),
        SmsMessage.objects.count(),
    )


@pytest.mark.parametrize(
    ("tenant", "username", "examples"), [pytest.param(*i, id=f"{i[0]}-{i[1] or 'anonymous'}") for i in IDENTITIES]
)
def test_every_operation_answers_as_documented(tenant, username, examples):
    if tenant == "harbin":
        _harbin_data()
    target = _target(tenant, username)
    operations = [result.ok() for result in _schema(tenant).get_all_operations()]
    assert len(operations) >= 20
    before = _counts()
    failures = []
    with _keeping_the_test_transaction():
        for operation in operations:
            try:
                _fuzz(operation, target, examples)
            except (Exception, FailureGroup) as error:  # noqa: BLE001 - one report for every operation that fails
                failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
    assert _counts() == before, "a fuzzed request wrote outside its rolled-back savepoint"


def test_real_rows_answer_as_documented():
    """Generated ids rarely hit a row; these requests read and change real ones, so the success bodies of the detail
    operations are checked against the schema too."""
    from django_tenants.utils import schema_context

    from cms.models import ArticlePage
    from shared_apps.broadcasts.models import NationwideNotice

    rows = _harbin_data()
    with schema_context("harbin"):
        article = ArticlePage.objects.live().public().order_by("pk").first().pk
    connection.set_schema_to_public()
    notice = NationwideNotice.objects.shown_in("harbin").order_by("pk").first()
    schema = _schema("harbin")
    enterprise, bureau = _target("harbin", "hrb_enterprise"), _target("harbin", "hrb_bureau")
    anonymous = _target("harbin", None)
    requests = [
        (enterprise, "GET", "/api/v1/applications/", {}, None),
        (enterprise, "GET", "/api/v1/applications/{id}/", {"id": rows["application"]}, None),
        (enterprise, "GET", "/api/v1/organisation/sub-accounts/", {}, None),
        (enterprise, "GET", "/api/v1/organisation/sub-accounts/{id}/", {"id": rows["sub_account"]}, None),
        (enterprise, "PATCH", "/api/v1/organisation/sub-accounts/{id}/", {"id": rows["sub_account"]}, {"email": ""}),
        (enterprise, "PUT", "/api/v1/registration/draft/", {}, {"data": {"name": "草稿"}}),
        (enterprise, "GET", "/api/v1/me/", {}, None),
        (bureau, "GET", "/api/v1/tasks/", {}, None),
        (bureau, "GET", "/api/v1/applications/{id}/", {"id": rows["application"]}, None),
        (bureau, "POST", "/api/v1/tasks/{id}/decide/", {"id": rows["task"]}, {"action": "approve"}),
        (enterprise, "POST", "/api/v1/applications/{id}/withdraw/", {"id": rows["application"]}, None),
        (anonymous, "GET", "/api/v1/portal/articles/{id}/", {"id": article}, None),
        (anonymous, "GET", "/api/v1/tenant/", {}, None),
    ]
    if notice is not None:
        requests.append((anonymous, "GET", "/api/v1/portal/national-notices/{id}/", {"id": notice.pk}, None))
    with _keeping_the_test_transaction():
        for target, method, path, parameters, body in requests:
            operation = schema[path][method]
            if body is None:
                case = operation.Case(path_parameters=parameters)
            else:
                case = operation.Case(path_parameters=parameters, body=body, media_type="application/json")
            response = target.call(case)
            assert response.status_code < 300, (method, path, response.status_code, response.content[:300])
            case.validate_response(response, checks=CHECKS)


def test_nul_characters_are_refused_or_dropped_before_postgresql(tenant_client):
    """PostgreSQL text cannot hold NUL; what the fuzzing found answering 500 now refuses it (400) or drops it."""
    schema = _schema("harbin")
    enterprise, anonymous = _target("harbin", "hrb_enterprise"), _target("harbin", None)
    cases = [
        (anonymous, schema["/api/v1/portal/articles/"]["GET"].Case(query={"q": "试点\x00"}), 200),
        (anonymous, schema["/api/v1/directory/companies/"]["GET"].Case(query={"q": "哈尔\x00滨"}), 200),
        (anonymous, schema["/api/v1/portal/articles/"]["GET"].Case(query={"column": "nope"}), 400),
        (
            enterprise,
            schema["/api/v1/registration/draft/"]["PUT"].Case(
                body={"data": {"name\x00": ["a"], "uscc": "x\x00"}}, media_type="application/json"
            ),
            400,
        ),
        (enterprise, schema["/api/v1/applications/"]["GET"].Case(query={"name": "认证\x00"}), 400),
        (enterprise, schema["/api/v1/tasks/"]["GET"].Case(query={"applicant": "\x00"}), 400),
    ]
    with _keeping_the_test_transaction():
        for target, case, status in cases:
            response = target.call(case)
            assert response.status_code == status, (case.formatted_path, response.status_code)
            case.validate_response(response, checks=CHECKS)
    assert tenant_client("harbin").get("/search/", {"q": "试点\x00"}).status_code == 200
