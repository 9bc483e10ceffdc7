"""Isolation matrix: every route of a tenant host, requested with the real ids of someone else's data.

The routes come from the URL resolver of `config.urls_tenant`, not from a hand list. In the harbin tenant,
organisation A (the demo enterprise `hrb_enterprise`) has an application in review with a stamped scan uploaded at
its upload stage, the open task of that application, and a sub-account. Three outsiders then request every route —
with A's ids wherever the route takes one — by every method the route answers (GET, POST, and PUT/PATCH/DELETE
where an API view declares them), with a minimal body that *would* act if access were wrong:

- anonymous,
- a member of another tenant (jiangmen's demo enterprise, no membership in harbin),
- the main account of another organisation of harbin (enterprise B, registered and certified through the services).

Nothing may answer 5xx or show A's distinctive strings (company, USCC, usernames, mobiles, application title, file
name) to them, nothing of A's may change, and each party gets its refusal: anonymous → the sign-in page (pages) or
401/403 (API); the other tenant's member → 403/404; B → 403/404 wherever the URL carries A's id. A itself, as the
positive control, reaches every one of those ids.

A is also a pilot enterprise with three acceptances (验收申请): one at 现场验收 with a booked visit and a supporting
file, one at 公示 (recognised, in the bureau's draft publicity batch, with an objection and its tranches) and the draft
it is writing. The routes that write an acceptance take the draft; the reviewers' routes are reached by the bureau (or
finance) in the positive control. The public 公示 routes are asked for the draft batch, which they must not show.

The marketplace (routes `market-*` and `api-market-*`) is off in harbin, so its routes are walked in the national
tenant instead, by the same test parametrised by tenant (`WALKS`): A is the demo provider and the demo buyer of one
deal — a draft with an intro image and an expert, an order waiting for its payment proof to be checked (and the
proof's file), a cart item, the demo's rated order line, the bank account — and the outsiders are anonymous, a member
of jiangmen, and B: a certified provider and a certified enterprise of national. A's products on sale are public by
design; the public routes are asked for A's draft, which they must not show. The positive control is A's provider,
A's buyer or the tenant's operations staff (the taxonomy, the delisting page), as each sample names.

Service vouchers (routes `voucher-*` and `api-voucher-*`) are off in harbin as well and are walked in national
with the marketplace: A's buyer holds a voucher it used on a paid order of A's provider, the operations staff's
activity offers the voucher's type, and a draft settlement statement owes A's provider that deduction. Activities on
show are public by design; grabbing or applying for a type is open to every certified enterprise (B takes its own).

生态申报 (routes `ecosystem-*` and `api-ecosystem-*`) is on in jiangmen only and is walked there (`EcoWorld`): A is a
certified provider that joined the hardware unit's alliance (its first product in review at the unit), with a repeat
declaration, a product and an information change it is writing; the outsiders are anonymous, a member of harbin, B
(another certified provider of jiangmen) and another anchor unit (`jm_anchor2`, food). The positive control is A, or
the unit that confirmed A (`jm_anchor`) and the city bureau on the alliance and the overview. Approved products in an
open pool are public by design; the public routes are asked for A's draft product, which they must not show.

A new route is walked automatically. It fails here until it is classified: public routes need a reason in `PUBLIC`,
routes with URL parameters need sample values in `SAMPLES`, whole areas can be excluded by prefix with a reason in
`EXCLUDED_PREFIXES`, and a single route may opt out with a reason in `OPT_OUT`.

The two access checks of tests/test_api_access.py (anonymous callers across the API, a member of another tenant on
member endpoints) are subsumed here; that module and tests/test_isolation.py (admin, CMS, console, object
permissions — areas this matrix excludes or does not reach) stay as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# --- What is walked, and why some of it is not ------------------------------------------------------------------
EXCLUDED_PREFIXES = {
    "cms/": "Wagtail's admin: the editor UI and its internal API (~190 routes taking Wagtail's own ids). The whole "
    "prefix is gated by TenantCmsAccessMiddleware (editor role of this tenant) and Wagtail's login; "
    "test_isolation.py::test_editor_reaches_wagtail_only_in_own_tenant and the door check below cover it.",
    "django-admin/": "Django's admin of the tenant (tenant_admin_site): tenant admins of this tenant only; "
    "test_isolation.py's tenant-admin tests and the door check below cover it.",
    "api/schema/": "the OpenAPI schema: the API's shape, no data; tests/test_api_fuzz.py fuzzes it per tenant.",
    "api/docs/": "Swagger UI over that schema.",
}
# Static and media files are no URL patterns: WhiteNoise answers /static/ before URL resolution, and MEDIA_URL is
# not routed at all — private files leave only through the attachment view (the door check asks /media/ for A's).

PUBLIC = {
    "home": "the portal's home page",
    "portal-search": "search over the portal's published pages",
    "nationwide-notice": "nationwide notices are published to every city's portal",
    "module-home": "a module's public page on the portal",
    "wagtail_serve": "the portal's published page tree",
    "wagtaildocs_serve": "documents attached to published portal pages",
    "wagtaildocs_authenticate_with_password": "Wagtail's password form for a restricted document (none exist here)",
    "wagtailcore_authenticate_with_password": "Wagtail's password form for a restricted page (none exist here)",
    "wagtailcore_login": "Wagtail's sign-in form for private pages",
    "login": "the sign-in page",
    "logout": "signing out needs no sign-in; it ends only the caller's own session",
    "password-reset": "password reset by SMS code, for people who cannot sign in",
    "invitation-accept": "a city admin's one-time set-password link: the 256-bit token is the credential (an "
    "unknown token is 404; tests/test_city_setup.py covers used, expired and other cities' links)",
    "sms-outbox": "dev-only SMS outbox: 404 unless DEBUG or PLATFORM_SMS_OUTBOX_VISIBLE (off in tests and production)",
    "register": "registration (anonymous) and joining this city (signed in elsewhere)",
    "service-agreement": "the registration's service agreement",
    "privacy-notice": "the registration's privacy notice",
    "captcha-image": "the image captcha of the public forms",
    "captcha-image-2x": "the image captcha of the public forms",
    "captcha-audio": "the audio captcha of the public forms",
    "captcha-refresh": "a new captcha for the public forms",
    "api-tenant-profile": "the tenant's public profile and modules",
    "api-portal-columns": "the portal's published content, like the portal",
    "api-portal-articles": "the portal's published content, like the portal",
    "api-portal-article": "the portal's published content, like the portal",
    "api-portal-national-notice": "the portal's published content, like the portal",
    "api-company-lookup": "the national company directory for registration forms (throttled)",
    "api-registration": "registration over the API (the SMS code proves the mobile)",
    "api-registration-code": "registration code over the API (captcha checked, capped per mobile and address)",
    "api-token": "sign-in for API clients (credentials checked, lockout)",
    "api-captcha": "a new image captcha for the token endpoint",
    "market-listed-expert-photo": "the photo of an expert shown on a product on sale, like the public product page "
    "that shows it (404 unless the product is listed and its live version shows the expert; "
    "tests/test_market_experts.py::test_expert_on_a_product_on_sale_cannot_be_deleted)",
    # 解决方案目录: anyone may browse listed products where the marketplace is on (404 elsewhere, and 404 for drafts,
    # products in review and delisted ones: tests/test_market_catalogue.py::test_anonymous_browses_only_listed_...).
    "market-catalogue": "the public catalogue of products on sale",
    "market-product": "the public page of a product on sale",
    "market-thumbnail": "the thumbnail of a product on sale, like the public product page",
    "market-media": "an intro image/video of a product on sale (only its live version's), like the product page",
    "api-market-catalogue": "the public catalogue over the API, like the page",
    "api-market-catalogue-detail": "a product on sale over the API, like the page",
    "api-market-taxonomy": "the active catalogues, categories and tags the public catalogue filters by",
    # 服务券活动: the activities on show are the tenant's public offer (seed 000 §1.4.6), read from a cached state.
    "voucher-public-activities": "the voucher activities on show, for anyone where the module is on",
    "voucher-public-activity": "a voucher activity on show (404 unless published and not over)",
    "api-voucher-activities": "the voucher activities on show over the API, like the page",
    "api-voucher-activity": "a voucher activity on show over the API, like the page",
    # 公示公告: the point of publicity is that anyone may read it (seed 002 §七), where the module is on. Only
    # published and closed batches are shown; the sample is A's draft batch, which must answer 404
    # (tests/test_pilots_publicity.py covers publishing).
    "publicity-public": "the published and closed publicity batches on the portal",
    "publicity-public-batch": "one published or closed publicity batch on the portal (a draft is 404)",
    "api-publicity-public": "the published and closed publicity batches over the API, like the page",
    # 上架产品 and the anchor units (seed 004): approved products in an open pool and the units with their alliance
    # and pool sizes are the city's public offer, where the module is on; the samples are A's draft product (404).
    "ecosystem-public-products": "the approved products in the anchor units' pools, for anyone where the module is on",
    "ecosystem-public-product": "one product on show (404 unless approved and pooled; no contracts or proofs)",
    "ecosystem-public-units": "the anchor units with their alliance and pool sizes",
    "cultivation-public": "the cultivation landing page: notices, lookup and declaration entries, open windows",
    "cultivation-lookup": "企业认定查询: exact name + USCC behind a captcha and a per-address budget",
    "api-cultivation-lookup": "the lookup's API: the same captcha and budget",
    "api-ecosystem-public-products": "the products on show over the API, like the page",
    "api-ecosystem-public-product": "one product on show over the API, like the page",
    "api-ecosystem-anchor-units": "the anchor units with their alliance and pool sizes over the API, like the page",
}
# Signed-in pages about the caller's own global identity or own registration: anonymous callers are sent to sign
# in, but a person known from another city or another organisation may be answered — with their own data only.
OWN_ACCOUNT = {
    "password-change": "the caller's own password; the identity is global, so any host may change it",
    "mobile-change": "the caller's own mobile; the identity is global",
    "account-security": "the caller's own sessions and API tokens; the identity is global",
    "api-tokens": "the caller's own API tokens; the identity is global",
    "api-token-revoke": "revokes one of the caller's own tokens; another person's id is 404 (test_account_security)",
    "register-profile": "the caller's own registration step 2 (a non-member gets 404)",
    "register-done": "the caller's own registration status (a non-member is sent to /register/)",
}
OPT_OUT: dict[str, str] = {}  # route name → why it is not requested at all


# --- The data of organisation A, and the other parties ------------------------------------------------------------
A_USERNAME = "hrb_enterprise"
A_TITLE = "隔离矩阵甲方试点入库申请"
A_SUB_USERNAME = "iso_matrix_sub_a"
A_SUB_MOBILE = "13977770011"
A_FILE_NAME = "iso-matrix-stamped-a.pdf"
A_LEGAL_REP = "隔离矩阵甲方法定代表人"
A_EVIDENCE_NAME = "iso-matrix-audit-a.pdf"
# A's 验收申请 (acceptance): one at 现场验收 with a booked visit, one at 公示 in a draft publicity batch with an
# objection and its tranches, and the draft it is writing now. Distinctive strings, so a leak shows.
A_PROJECT = "隔离矩阵甲方验收改造项目"
A_PROJECT_PUBLICITY = "隔离矩阵甲方公示改造项目"
A_PROJECT_DRAFT = "隔离矩阵甲方草稿改造项目"
A_PROVIDER = "隔离矩阵甲方数字化服务商"
A_ACCEPTANCE_FILE = "iso-matrix-acceptance-a.pdf"
A_DRAFT_FILE = "iso-matrix-acceptance-draft-a.pdf"
A_VISIT_PLACE = "隔离矩阵甲方现场验收地点"
A_BATCH_TITLE = "隔离矩阵甲方公示批次"
A_OBJECTION = "隔离矩阵甲方公示项目收到的异议"
B_USERNAME = "iso_matrix_main_b"
OTHER_TENANT_USERNAME = "jm_enterprise"  # jiangmen's demo enterprise: no membership in harbin
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
    b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
    b"startxref\n162\n%%EOF\n"
)  # one blank page: uploads are parsed (tenants/uploads.py)


@dataclass
class World:
    application: int
    task: int
    attachment: int
    attachment_path: str
    sub_account: int
    message: int
    article: int
    article_path: str
    notice: int
    document: int
    captcha_key: str
    admission: int = 0  # A's 入库申请, on A's application (the pilots API)
    admission_file: int = 0  # … its audit report
    acceptance: int = 0  # A's 验收申请 at 现场验收, with a booked visit …
    acceptance_file: int = 0  # … and its supporting PDF
    acceptance_draft: int = 0  # the acceptance A is writing (editable, deletable) …
    acceptance_draft_file: int = 0  # … and its PDF
    recognised: int = 0  # A's acceptance at 公示, recognised, in the bureau's draft batch
    recognised_project: int = 0
    batch: int = 0  # that draft batch: not public
    objection: int = 0  # an objection against A's item of the batch
    tranche: int = 0  # A's first tranche (unpaid)
    secrets: list[str] = field(default_factory=list)


def _masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}"


def _organisation_b():
    """Enterprise B registers (a new identity with its company) and the city bureau certifies it."""
    from stdnum.cn import uscc

    from tenant_apps.onboarding.services import registration_account_create
    from tenant_apps.organisations.models import Membership
    from tenant_apps.workflow import services as workflow
    from tenant_apps.workflow.models import Task
    from tests.registration import mobile_code_for

    base = "91230100MA0000B02"
    _user, membership = registration_account_create(
        role="enterprise",
        username=B_USERNAME,
        mobile="13977770021",
        mobile_code=mobile_code_for("13977770021"),
        password="Iso#Matrix2026b",
        agreed=True,
        company={
            "name": "哈尔滨隔离矩阵乙方制造有限公司",
            "uscc": base + uscc.calc_check_digit(base),
            "contact_name": "隔离矩阵乙方联系人",
        },
    )
    bureau = Membership.objects.get(user__username="hrb_bureau")
    task = Task.objects.get(application__applicant=membership.user, state=Task.State.OPEN)
    workflow.task_decide(task_id=task.pk, membership=bureau, action="approve")
    membership.organisation.refresh_from_db()
    assert membership.organisation.certification == "certified"


def _message_of_a(application) -> int:
    """The bureau's decision in A's 我的消息 (the worker's job, run here): its title names A's application."""
    from tenant_apps.notifications.models import Message
    from tenant_apps.workflow.tasks import notify_applicant

    entry = application.log.filter(action="approve").order_by("pk").first()
    notify_applicant(entry.pk)
    return Message.objects.get(source_key=f"workflow-log:{entry.pk}").pk


def _acceptance_of_a(a, project: str, file_name: str):
    """A draft acceptance of A (tests/pilots_factories.py: one project, a provider, two products) under this
    project name, with a supporting PDF (the project summary report)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenant_apps.pilots.models import AcceptanceFile, ProjectProvider
    from tests.pilots_factories import acceptance_draft

    acceptance = acceptance_draft(a)
    acceptance.projects.update(name=project)
    ProjectProvider.objects.filter(project__acceptance=acceptance).update(name=A_PROVIDER)
    AcceptanceFile.objects.create(
        acceptance=acceptance,
        kind=AcceptanceFile.Kind.SUMMARY_REPORT,
        file=SimpleUploadedFile(file_name, PDF, content_type="application/pdf"),
        original_name=file_name,
        content_type="application/pdf",
        size=len(PDF),
    )
    return acceptance


def _book(bureau, acceptance, place: str, *, days: int):
    import datetime

    from django.utils import timezone

    from tenant_apps.pilots import onsite

    return onsite.visit_book(
        membership=bureau,
        acceptance_id=acceptance.pk,
        scheduled_at=timezone.now() + datetime.timedelta(days=days),
        place=place,
        contact_name="市工信局验收组",
        contact_phone="0451-86660200",
    )


def _acceptances_of_a(a, admission) -> dict:
    """A becomes a pilot enterprise (on its admission). Its acceptance passed the material review and the bureau
    booked the on-site visit (现场验收); a second one went on through the visit, the stamped table and the
    recognition to 公示 (the services, as tenant_apps/pilots/acceptance_demo.py does), and the bureau put it in a
    draft publicity batch; an objection against it is recorded and its tranches planned. A third is A's draft."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from tenant_apps.pilots import onsite, publicity, recognition
    from tenant_apps.pilots.models import Objection, OnSiteVisit, PilotEnterprise
    from tenant_apps.workflow import services as workflow
    from tests.pilots_factories import bureau as the_bureau
    from tests.pilots_factories import decide, open_task

    bureau = the_bureau()
    PilotEnterprise.objects.create(
        organisation=a.organisation, admission=admission, admitted_on=datetime.date(2024, 8, 1)
    )
    at_onsite = _acceptance_of_a(a, A_PROJECT, A_ACCEPTANCE_FILE)
    workflow.application_submit(application=at_onsite.application, actor=a.user)
    decide(at_onsite)  # 材料审核 → 现场验收
    _book(bureau, at_onsite, A_VISIT_PLACE, days=3)

    recognised = _acceptance_of_a(a, A_PROJECT_PUBLICITY, "iso-matrix-publicity-a.pdf")
    workflow.application_submit(application=recognised.application, actor=a.user)
    decide(recognised)
    visit = _book(bureau, recognised, "隔离矩阵甲方已验收地点", days=1)
    OnSiteVisit.objects.filter(pk=visit.pk).update(scheduled_at=timezone.now() - datetime.timedelta(days=1))
    onsite.visit_conclude(membership=bureau, acceptance_id=recognised.pk, conclusion="pass", note="项目建成投用。")
    stamped = SimpleUploadedFile("iso-matrix-stamped-acceptance-a.pdf", PDF, content_type="application/pdf")
    workflow.stage_upload(task_id=open_task(recognised).pk, membership=a, upload=stamped)
    project = recognised.projects.get()
    recognition.recognise(
        membership=bureau,
        acceptance_id=recognised.pk,
        projects=[
            {
                "id": project.pk,
                "recognised_amount": "400000.00",
                "recognised_hardware": "100000.00",
                "level_reached": 3,
                "in_period": True,
                "proven": True,
            }
        ],
    )
    decide(recognised)  # 盖章件审核 → 公示
    batch = publicity.batch_create(membership=bureau, title=A_BATCH_TITLE, days=5, acceptance_ids=[recognised.pk])
    # The rows the objection and payment routes take, made directly: in the flow an objection is recorded while the
    # batch is published and the tranches are planned when it closes — both would put A on the public 公示 page.
    objection = Objection.objects.create(
        item=batch.items.get(), received_on=timezone.localdate(), content=A_OBJECTION, recorded_by=bureau.user
    )
    tranche = publicity.tranches_create(recognised)[0]

    draft = _acceptance_of_a(a, A_PROJECT_DRAFT, A_DRAFT_FILE)
    return {
        "acceptance": at_onsite.pk,
        "acceptance_file": at_onsite.files.get().pk,
        "acceptance_draft": draft.pk,
        "acceptance_draft_file": draft.files.get().pk,
        "recognised": recognised.pk,
        "recognised_project": project.pk,
        "batch": batch.pk,
        "objection": objection.pk,
        "tranche": tranche.pk,
        "secrets": [
            A_PROJECT,
            A_PROJECT_PUBLICITY,
            A_PROJECT_DRAFT,
            A_PROVIDER,
            A_ACCEPTANCE_FILE,
            A_DRAFT_FILE,
            A_VISIT_PLACE,
            A_BATCH_TITLE,
            A_OBJECTION,
        ],
    }


def _organisation_a_data() -> dict:
    """A's application through its chain up to the stamped scan, its open task, and a sub-account."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenant_apps.organisations import services as organisations
    from tenant_apps.organisations.models import Membership
    from tenant_apps.pilots.models import Admission, AdmissionFile
    from tenant_apps.workflow import services as workflow
    from tenant_apps.workflow.models import Task

    a = Membership.objects.select_related("user", "organisation").get(user__username=A_USERNAME)
    bureau = Membership.objects.get(user__username="hrb_bureau")
    application = workflow.application_create(
        kind="admission", applicant=a.user, title=A_TITLE, organisation=a.organisation
    )
    admission = Admission.objects.create(
        organisation=a.organisation,
        application=application,
        basic={"company_name": a.organisation.name, "legal_rep": A_LEGAL_REP},
        benchmark=True,
        created_by=a.user,
    )
    evidence = AdmissionFile.objects.create(
        admission=admission,
        kind=AdmissionFile.Kind.AUDIT_REPORT,
        file=SimpleUploadedFile(A_EVIDENCE_NAME, PDF, content_type="application/pdf"),
        original_name=A_EVIDENCE_NAME,
        content_type="application/pdf",
        size=len(PDF),
    )
    workflow.application_submit(application=application, actor=a.user)
    first = application.tasks.get(state=Task.State.OPEN)
    workflow.task_decide(task_id=first.pk, membership=bureau, action="approve")
    upload = application.tasks.get(state=Task.State.OPEN)
    assert upload.handler == "applicant_upload"
    scan = SimpleUploadedFile(A_FILE_NAME, PDF, content_type="application/pdf")
    workflow.stage_upload(task_id=upload.pk, membership=a, upload=scan)
    attachment = application.attachments.get()
    message = _message_of_a(application)
    sub_account = organisations.sub_account_create(
        manager=a,
        username=A_SUB_USERNAME,
        name="甲方隔离子账号",
        mobile=A_SUB_MOBILE,
        email="",
        password="Iso#Matrix2026s",
        menu_permissions=["admission"],
    )
    acceptances = _acceptances_of_a(a, admission)
    return {
        **{key: value for key, value in acceptances.items() if key != "secrets"},
        "application": application.pk,
        "task": application.tasks.get(state=Task.State.OPEN).pk,
        "attachment": attachment.pk,
        "attachment_path": attachment.file.name,
        "sub_account": sub_account.pk,
        "message": message,
        "admission": admission.pk,
        "admission_file": evidence.pk,
        "secrets": [
            A_EVIDENCE_NAME,
            a.organisation.name,
            a.organisation.uscc,
            a.user.username,
            a.user.mobile,
            _masked(a.user.mobile),
            A_TITLE,
            A_SUB_USERNAME,
            A_SUB_MOBILE,
            _masked(A_SUB_MOBILE),
            A_FILE_NAME,
            A_LEGAL_REP,
            *acceptances["secrets"],
        ],
    }


def _public_content() -> dict:
    """Real rows of the portal's published content: an article, a nationwide notice, a document, a captcha."""
    from captcha.models import CaptchaStore
    from django.core.files.base import ContentFile
    from django.db import connection
    from wagtail.documents.models import Document

    from cms.models import ArticlePage
    from shared_apps.broadcasts.models import NationwideNotice

    article = ArticlePage.objects.live().public().order_by("pk").first()
    notice = NationwideNotice.objects.shown_in(connection.schema_name).order_by("pk").first()
    document = Document.objects.create(title="隔离矩阵公开附件", file=ContentFile(PDF, name="iso-public.pdf"))
    return {
        "article": article.pk,
        "article_path": article.get_url_parts()[2],
        "notice": notice.pk if notice else 0,
        "document": document.pk,
        "captcha_key": CaptchaStore.generate_key(),
    }


@pytest.fixture
def world(settings, tmp_path) -> World:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    settings.MEDIA_ROOT = tmp_path  # the scan and the document are written to disk
    with tenant_context(Tenant.objects.get(schema_name="harbin")):  # services read the tenant's modules
        _organisation_b()
        data = {**_organisation_a_data(), **_public_content()}
    connection.set_schema_to_public()
    return World(**data)


# --- The marketplace's world, in the national tenant (the module is off in harbin) ------------------------------
MARKET_A_PROVIDER = "nat_provider"  # A: the demo provider (bank account, listings, experts) …
MARKET_A_BUYER = "nat_enterprise"  # … and the demo buyer (orders, a rating) — both A's side of one deal
MARKET_OPS = "nat_ops"  # the tenant's operations staff: the taxonomy and delisting are theirs
MARKET_B_PROVIDER = "iso_market_provider_b"
MARKET_B_BUYER = "iso_market_buyer_b"
MARKET_OTHER_TENANT_USERNAME = "jm_enterprise"  # jiangmen's demo enterprise: no membership in national
MARKET_LISTING_NAME = "隔离矩阵甲方草稿方案"
MARKET_EXPERT_NAME = "隔离矩阵甲方专家"
MARKET_MEDIA_NAME = "iso-matrix-media-a.png"
MARKET_PROOF_NAME = "iso-matrix-proof-a.pdf"


@dataclass
class MarketWorld:
    listing: int  # a draft (never public) with a thumbnail, an intro image and A's expert
    version: int
    media: int
    expert: int
    listed: int  # a product of A on sale (public; only the ops delisting page takes it)
    order: int  # waiting for ops to check the payment proof
    proof: int
    proof_file: int
    cart_item: int
    rated_line: int  # the demo's completed, rated order line
    tag: int
    activity: int  # the operations staff's voucher activity (published) …
    voucher_type: int  # … its grab type (B may grab one for itself)
    voucher: int  # A's buyer's voucher, used on a paid order of A's provider
    settlement: int  # the draft statement owing A's provider that deduction
    secrets: list[str] = field(default_factory=list)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (31, 111, 235)).save(out, "PNG")
    return out.getvalue()


def _market_b() -> None:
    """B: a certified provider and a certified enterprise of national, each its own organisation."""
    from django.contrib.auth import get_user_model

    from tenant_apps.organisations.models import Membership, Organisation

    for username, kind, mobile, uscc in (
        (MARKET_B_PROVIDER, "provider", "13977770031", "91110000MA00ISOB1X"),
        (MARKET_B_BUYER, "enterprise", "13977770032", "91110000MA00ISOB2X"),
    ):
        user = get_user_model().objects.create_user(username, mobile=mobile, password="Iso#Matrix2026m")
        organisation = Organisation.objects.create(
            kind=kind, name=f"隔离矩阵乙方{kind}", uscc=uscc, certification=Organisation.Certification.CERTIFIED
        )
        Membership.objects.create(user=user, organisation=organisation, roles=[kind])


def _market_a_vouchers(provider, buyer, spec) -> dict:
    """The operations staff's activity with a grab type; A's buyer holds a voucher and spends it on an order of A's
    provider, paid (proof approved); the deduction is on a draft settlement statement."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from tenant_apps.marketplace import orders, payments
    from tenant_apps.organisations.models import Membership
    from tenant_apps.vouchers import activities, issuing, settlements
    from tenant_apps.workflow import services as workflow
    from tenant_apps.workflow.models import Task

    ops = Membership.objects.select_related("user", "organisation").get(user__username=MARKET_OPS)
    now = timezone.now()
    activity = activities.activity_save(
        actor=ops.user,
        data={
            "name": "隔离矩阵服务券活动",
            "starts_at": now - datetime.timedelta(days=1),
            "ends_at": now + datetime.timedelta(days=30),
        },
    )
    vtype = activities.type_save(
        activity=activity,
        data={
            "name": "隔离矩阵服务券",
            "face_value": "30000.00",
            "method": "grab",
            "valid_days": 90,
            "stock_total": 20,
            "per_enterprise_limit": 2,
        },
    )
    activities.activity_publish(activity=activity, published=True)
    activities.state_changed()  # on_commit never runs inside the test's transaction
    voucher = issuing.issue(vtype, buyer.organisation, buyer.user_id, source="grab")
    paid = orders.buy_now(membership=buyer, spec_id=spec.pk, quantity=1, voucher=voucher.pk)
    assert paid.deduction > 0
    proof = payments.proof_upload(
        membership=buyer, order_id=paid.pk, files=[SimpleUploadedFile("paid.pdf", PDF, content_type="application/pdf")]
    )
    task = Task.objects.get(application_id=proof.application_id, state=Task.State.OPEN)
    workflow.task_decide(task_id=task.pk, membership=ops, action="approve")
    today = timezone.localdate()
    (settlement,) = settlements.settlement_draft(
        actor=ops.user, provider_id=provider.organisation_id, period_start=today, period_end=today
    )
    return {
        "activity": activity.pk,
        "voucher_type": vtype.pk,
        "voucher": voucher.pk,
        "settlement": settlement.pk,
        "secrets": [voucher.number, paid.number, settlement.number],
    }


def _market_a_data() -> dict:
    """A's private marketplace rows: a draft with media and an expert, an order with its proof, a cart item."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenant_apps.marketplace import experts, listings, orders, payments
    from tenant_apps.marketplace.models import Listing, OrderLine, Tag
    from tenant_apps.organisations.models import Membership

    provider = Membership.objects.select_related("user", "organisation").get(user__username=MARKET_A_PROVIDER)
    buyer = Membership.objects.select_related("user", "organisation").get(user__username=MARKET_A_BUYER)
    expert = experts.expert_create(
        membership=provider,
        data={
            "name": MARKET_EXPERT_NAME,
            "age": 45,
            "gender": "male",
            "iiot_specialty": "工业互联网平台",
            "industry_fields": "装备制造",
            "operations_field": "生产运营优化",
            "years_iiot": 10,
            "years_industry": 20,
            "experience": "隔离矩阵的专家。",
            "title": "高级工程师",
            "education": "硕士",
            "introduction": "隔离矩阵甲方的专家。",
        },
        photo=SimpleUploadedFile("expert.png", _png(), content_type="image/png"),
    )
    listed = Listing.objects.filter(organisation=provider.organisation, state="listed").order_by("pk")
    source = listed.first().live_version
    version = listings.listing_create(
        membership=provider,
        data={
            "name": MARKET_LISTING_NAME,
            "related_product": "隔离矩阵产品",
            "catalogue": source.catalogue_id,
            "tags": [],
            "categories": [],
            "industries": [],
            "experts": [expert.pk],
            "summary": "隔离矩阵甲方的草稿。",
            "price_min": "100.00",
            "price_max": "200.00",
            "delivery_cycle_days": 10,
            "delivery_person_days": 5,
            "contact_name": "甲方联系人",
            "contact_phone": "010-88886666",
            "contact_email": "iso@example.com",
            "intro": [{"type": "description", "value": {"text": "隔离矩阵"}}],
        },
        specs=[{"name": "标准版", "purchase_mode": "year", "pricing": "simple", "unit_price": "100.00"}],
        thumbnail=SimpleUploadedFile("thumb.png", _png(), content_type="image/png"),
        media_uploads=[SimpleUploadedFile(MARKET_MEDIA_NAME, _png(), content_type="image/png")],
    )
    specs = list(listed.last().live_version.specs.exclude(unit_price=0).order_by("position", "id"))
    order = orders.buy_now(membership=buyer, spec_id=specs[0].pk, quantity=3)
    proof = payments.proof_upload(
        membership=buyer,
        order_id=order.pk,
        files=[SimpleUploadedFile(MARKET_PROOF_NAME, PDF, content_type="application/pdf")],
    )
    cart_item = orders.cart_add(membership=buyer, spec_id=specs[0].pk, quantity=2)
    vouchers = _market_a_vouchers(provider, buyer, specs[0])
    rated = OrderLine.objects.filter(order__buyer=buyer.organisation, rating__isnull=False).order_by("pk").first()
    return {
        "listing": version.listing_id,
        "version": version.pk,
        "media": version.media.get().pk,
        "expert": expert.pk,
        "listed": listed.first().pk,
        "order": order.pk,
        "proof": proof.pk,
        "proof_file": proof.files.get().pk,
        "cart_item": cart_item.pk,
        "rated_line": rated.pk,
        "tag": Tag.objects.filter(is_active=True).order_by("pk").first().pk,
        **{key: value for key, value in vouchers.items() if key != "secrets"},
        "secrets": [
            *vouchers["secrets"],
            MARKET_LISTING_NAME,
            MARKET_EXPERT_NAME,
            MARKET_MEDIA_NAME,
            MARKET_PROOF_NAME,
            order.number,
            provider.organisation.bank_account.account_number,
            provider.user.username,
            provider.user.mobile,
            _masked(provider.user.mobile),
            buyer.organisation.name,
            buyer.organisation.uscc,
            buyer.user.username,
            buyer.user.mobile,
            _masked(buyer.user.mobile),
        ],
    }


@pytest.fixture
def market_world(settings, tmp_path) -> MarketWorld:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    settings.MEDIA_ROOT = tmp_path
    with tenant_context(Tenant.objects.get(schema_name="national")):
        _market_b()
        data = _market_a_data()
    connection.set_schema_to_public()
    return MarketWorld(**data)


# --- The ecosystem's world, in jiangmen (the module is on there only) ------------------------------------------------
ECO_A_NAME = "隔离矩阵甲方生态服务商"
ECO_A_PRODUCT = "隔离矩阵甲方草稿产品"
ECO_A_FIRST_PRODUCT = "隔离矩阵甲方首次产品"
ECO_A_PROOF = "iso-matrix-eco-proof-a.pdf"
ECO_A_COOPERATION = "iso-matrix-eco-coop-a.pdf"
ECO_A_REASON = "隔离矩阵甲方变更原因"
ECO_UNIT = "jm_anchor"  # the hardware unit A joined: it confirmed A and reviews A's first product
ECO_OTHER_UNIT = "jm_anchor2"  # the food unit: nothing of A's is its business
ECO_BUREAU = "jm_bureau"
ECO_B_USERNAME = "eco_p91"  # tests/ecosystem_factories.provider(91)
ECO_OTHER_TENANT_USERNAME = "hrb_enterprise"  # harbin's demo enterprise: no membership in jiangmen


@dataclass
class EcoWorld:
    declaration: int  # A's repeat declaration being written (editable), with its files …
    declaration_file: int  # … the new cooperation proof
    first_declaration: int  # A's approved first declaration (not editable, no new products)
    product: int  # A's own product being written (a draft, never public), with cases and a proof …
    product_file: int
    case: int  # … its first case, with its contract
    change: int  # A's information change being written
    member: int  # A in the hardware unit's alliance
    unit: int  # the hardware unit (the city's unit pages)
    secrets: list[str] = field(default_factory=list)


def _eco_a_data() -> dict:
    from tenant_apps.configuration.models import AnchorUnit
    from tenant_apps.ecosystem import changes, declarations, products
    from tenant_apps.ecosystem.models import AllianceMember, DeclarationFile, Product
    from tenant_apps.organisations.models import Organisation
    from tests import ecosystem_factories as f

    a = f.provider(90, name=ECO_A_NAME)
    f.provider(91)  # B
    first = f.joined(a, unit="jm-hardware", product_names=(ECO_A_FIRST_PRODUCT,))
    product = products.product_start(membership=a, name=ECO_A_PRODUCT)
    f.fill_product(a, product, unit="jm-hardware")
    products.product_save(membership=a, product=product, data={}, files={"other": [f.pdf(ECO_A_PROOF)]})
    repeat = declarations.declaration_start(membership=a)
    assert not repeat.is_first
    declarations.declaration_save(
        membership=a,
        declaration=repeat,
        step=1,
        data={"anchor_unit": "jm-food"},
        files={"cooperation": f.pdf(ECO_A_COOPERATION)},
    )
    change = changes.change_save(
        membership=a,
        data={**changes.current(Organisation.objects.get(pk=a.organisation_id)), "reason": ECO_A_REASON},
    )
    organisation = a.organisation
    return {
        "declaration": repeat.pk,
        "declaration_file": repeat.files.get(kind=DeclarationFile.Kind.COOPERATION).pk,
        "first_declaration": first.pk,
        "product": product.pk,
        "product_file": product.files.get().pk,
        "case": Product.objects.get(pk=product.pk).cases.order_by("position").first().pk,
        "change": change.pk,
        "member": AllianceMember.objects.get(organisation=organisation, left_at__isnull=True).pk,
        "unit": AnchorUnit.objects.get(code="jm-hardware").pk,
        "secrets": [
            ECO_A_NAME,
            organisation.uscc,
            a.user.username,
            a.user.mobile,
            _masked(a.user.mobile),
            ECO_A_PRODUCT,
            ECO_A_FIRST_PRODUCT,
            ECO_A_PROOF,
            ECO_A_COOPERATION,
            ECO_A_REASON,
        ],
    }


@pytest.fixture
def eco_world(settings, tmp_path) -> EcoWorld:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    settings.MEDIA_ROOT = tmp_path
    with tenant_context(Tenant.objects.get(schema_name="jiangmen")):
        data = _eco_a_data()
    connection.set_schema_to_public()
    return EcoWorld(**data)


def _eco_a_state(e: EcoWorld) -> tuple:
    """What must not change: A's declarations, products, files, cases, change and alliance membership."""
    from django_tenants.utils import schema_context

    from tenant_apps.ecosystem import models

    with schema_context("jiangmen"):
        return (
            tuple(
                models.Declaration.objects.filter(organisation__name=ECO_A_NAME)
                .order_by("pk")
                .values_list("pk", "status", "anchor_unit_id", "profile", "updated_at", "application__version")
            ),
            tuple(
                models.Product.objects.filter(organisation__name=ECO_A_NAME)
                .order_by("pk")
                .values_list("pk", "status", "name", "updated_at", "application__version")
            ),
            tuple(models.DeclarationFile.objects.filter(declaration_id=e.declaration).values_list("pk", flat=True)),
            tuple(models.ProductFile.objects.filter(product_id=e.product).values_list("pk", flat=True)),
            tuple(models.ProductCase.objects.filter(product_id=e.product).values_list("pk", "customer")),
            models.ProviderChange.objects.filter(pk=e.change).values_list("status", "data", "reason").first(),
            models.AllianceMember.objects.filter(pk=e.member).values_list("left_at", "left_reason").first(),
            models.PoolEntry.objects.filter(product__organisation__name=ECO_A_NAME).count(),
        )


def _market_a_state(m: MarketWorld) -> tuple:
    """What must not change: the draft, its media, the expert, the order and its proof, the cart item, the rating,
    the bank account, the tag, the listed product; the voucher with its ledger, the activity, the statement."""
    from django_tenants.utils import schema_context

    from tenant_apps.marketplace import models
    from tenant_apps.vouchers import models as vouchers

    with schema_context("national"):
        listing = models.Listing.objects.get(pk=m.listing)
        version = models.ListingVersion.objects.get(pk=m.version)
        order = models.Order.objects.get(pk=m.order)
        cart = models.CartItem.objects.filter(pk=m.cart_item).values_list("quantity", flat=True).first()
        rating = models.Rating.objects.filter(line_id=m.rated_line).values_list("stars", "text").first()
        expert = models.ProviderExpert.objects.filter(pk=m.expert).values_list("name", "photo").first()
        bank = models.BankAccount.objects.filter(organisation=listing.organisation).values_list().first()
        return (
            listing.state,
            version.name,
            version.application.state if version.application_id else None,
            models.ListingMedia.objects.filter(pk=m.media).exists(),
            expert,
            order.state,
            order.payment,
            order.version,
            models.PaymentProofFile.objects.filter(pk=m.proof_file).exists(),
            cart,
            rating,
            bank,
            models.Tag.objects.get(pk=m.tag).is_active,
            models.Listing.objects.get(pk=m.listed).state,
            vouchers.Voucher.objects.filter(pk=m.voucher).values_list("balance", "valid_to").first(),
            vouchers.LedgerEntry.objects.filter(voucher_id=m.voucher).count(),
            vouchers.Activity.objects.filter(pk=m.activity).values_list("name", "is_published", "version").first(),
            vouchers.VoucherType.objects.filter(pk=m.voucher_type).values_list("name", "face_value").first(),
            vouchers.Settlement.objects.filter(pk=m.settlement).values_list("state", "total").first(),
            vouchers.SettlementItem.objects.filter(settlement_id=m.settlement).count(),
        )


def _acceptances_state(world: World) -> tuple:
    """A's acceptances: each application's place in its review, the draft's data and files, the visit, the
    recognised figures and adjustments, the batch, the objection, the tranche."""
    from tenant_apps.pilots import models

    ids = (world.acceptance, world.recognised, world.acceptance_draft)
    return (
        tuple(
            models.Acceptance.objects.filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "application__state", "application__version", "application__stage_position")
        ),
        models.Acceptance.objects.filter(pk=world.acceptance_draft).values_list("basic", "updated_at").first(),
        tuple(models.AcceptanceFile.objects.filter(acceptance_id__in=ids).order_by("pk").values_list("pk", flat=True)),
        tuple(models.AcceptanceProject.objects.filter(acceptance_id__in=ids).order_by("pk").values_list("name")),
        tuple(
            models.OnSiteVisit.objects.filter(acceptance_id__in=ids)
            .order_by("pk")
            .values_list("scheduled_at", "place", "conclusion", "deadline")
        ),
        models.AcceptanceProject.objects.filter(pk=world.recognised_project).values_list("subsidy").first(),
        models.SubsidyAdjustment.objects.filter(project_id=world.recognised_project).count(),
        models.PublicityBatch.objects.filter(pk=world.batch).values_list("state", "title", "starts_on").first(),
        models.PublicityItem.objects.filter(batch_id=world.batch).count(),
        models.Objection.objects.filter(pk=world.objection).values_list("resolution").first(),
        models.Tranche.objects.filter(pk=world.tranche).values_list("paid_on", "voucher_number").first(),
    )


def _a_state(world: World) -> tuple:
    """What must not change whoever knocks: A's application, its task, its file, its sub-account, its unread message,
    its acceptances (`_acceptances_state`)."""
    from django_tenants.utils import schema_context

    from tenant_apps.notifications.models import Message
    from tenant_apps.organisations.models import Membership
    from tenant_apps.pilots.models import Admission
    from tenant_apps.workflow.models import Application, Attachment, Task

    with schema_context("harbin"):
        application = Application.objects.get(pk=world.application)
        task = Task.objects.get(pk=world.task)
        sub = Membership.objects.select_related("user").filter(pk=world.sub_account).first()
        return (
            application.state,
            application.version,
            task.state,
            Attachment.objects.filter(pk=world.attachment).exists(),
            Message.objects.filter(pk=world.message, read_at__isnull=True).exists(),  # nobody else marks it read
            sub
            and (sub.user.mobile, sub.user.email, sub.user.is_active, sub.user.password, tuple(sub.menu_permissions)),
            Admission.objects.filter(pk=world.admission).values_list("basic", "benchmark", "updated_at").first(),
            _acceptances_state(world),
        )


# --- Routes -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    """How to fill a route's parameters from the world; `of_a` when they are ids of A's data."""

    build: Callable[[World], dict | str]  # the walk's world: `World` in harbin, `MarketWorld` in national
    of_a: bool = False
    by: str = ""  # who of A (or of the tenant's staff over A's data) reaches it in the positive control
    reach: int = 200  # what that GET answers: 405 where the id passed the access check but the route is POST-only
    methods: tuple[str, ...] = ()  # what is requested, where the view's methods do not tell (default: all it answers)


SAMPLES = {
    "api-token-revoke": Sample(lambda w: {"pk": 0}),
    # 梯度培育 (企业信息 area) is off in harbin: every id is 404 there; tests/test_cultivation_enterprise.py walks
    # another enterprise's real ids in national.
    "cultivation-change-edit": Sample(lambda w: {"pk": 0}),
    "cultivation-change-delete": Sample(lambda w: {"pk": 0}),
    "cultivation-rereview-new": Sample(lambda w: {"recognition_pk": 0}),
    "cultivation-rereview-edit": Sample(lambda w: {"pk": 0}),
    "api-cultivation-change": Sample(lambda w: {"pk": 0}),
    "api-cultivation-change-submit": Sample(lambda w: {"pk": 0}),
    "api-cultivation-rereview": Sample(lambda w: {"pk": 0}),
    # 梯度培育's 数字化水平评测, off in harbin too; tests/test_cultivation_assessment.py asks another enterprise's
    # real assessment in national (404).
    "cultivation-assessment-result": Sample(lambda w: {"pk": 0}),
    "cultivation-assessment-pdf": Sample(lambda w: {"pk": 0}),
    "api-cultivation-assessment": Sample(lambda w: {"pk": 0}),
    # 梯度培育's declarations, administrators' pages and messages, off in harbin; tests/test_cultivation_api.py,
    # test_cultivation_pages.py and test_cultivation_messages.py ask for another enterprise's and another county's
    # rows in the national tenant.
    "cultivation-declaration-edit": Sample(lambda w: {"pk": 0}),
    "cultivation-declaration-delete": Sample(lambda w: {"pk": 0}),
    "cultivation-declaration-pdf": Sample(lambda w: {"pk": 0}),
    "cultivation-evidence-file": Sample(lambda w: {"pk": 0, "evidence_pk": 0}),
    "cultivation-admin-declaration": Sample(lambda w: {"pk": 0}),
    "cultivation-recognition-revoke": Sample(lambda w: {"pk": 0}),
    "cultivation-message": Sample(lambda w: {"pk": 0}),
    "api-cultivation-declaration": Sample(lambda w: {"pk": 0}),
    "api-cultivation-declaration-problems": Sample(lambda w: {"pk": 0}),
    "api-cultivation-declaration-submit": Sample(lambda w: {"pk": 0}),
    "api-cultivation-evidence": Sample(lambda w: {"pk": 0}),
    "api-cultivation-evidence-delete": Sample(lambda w: {"pk": 0, "evidence_pk": 0}),
    "api-cultivation-recognition-revoke": Sample(lambda w: {"pk": 0}),
    "api-cultivation-message-read": Sample(lambda w: {"pk": 0}),
    "invitation-accept": Sample(lambda w: {"token": "not-an-issued-token"}),
    "application-detail": Sample(lambda w: {"pk": w.application}, of_a=True),
    "application-progress-pdf": Sample(lambda w: {"pk": w.application}, of_a=True),
    "application-attachment": Sample(lambda w: {"pk": w.application, "attachment_pk": w.attachment}, of_a=True),
    "application-form": Sample(lambda w: {"pk": w.application, "fmt": "pdf"}, of_a=True),
    "sub-account": Sample(lambda w: {"pk": w.sub_account}, of_a=True),
    "api-application": Sample(lambda w: {"pk": w.application}, of_a=True),
    "api-application-withdraw": Sample(lambda w: {"pk": w.application}, of_a=True),
    "api-task-decide": Sample(lambda w: {"pk": w.task}, of_a=True),
    "api-sub-account": Sample(lambda w: {"pk": w.sub_account}, of_a=True),
    "api-sub-account-password": Sample(lambda w: {"pk": w.sub_account}, of_a=True),
    "message-detail": Sample(lambda w: {"pk": w.message}, of_a=True),
    # 入库申请 over the API (admission is on in harbin): A's admission, its evidence uploads and its submission.
    "api-pilots-admission": Sample(lambda w: {"pk": w.admission}, of_a=True),
    "api-pilots-admission-file": Sample(lambda w: {"pk": w.admission, "kind": "audit_report"}, of_a=True, reach=405),
    "api-pilots-admission-submit": Sample(lambda w: {"pk": w.admission}, of_a=True, reach=405),
    "admission-edit": Sample(lambda w: {"pk": w.admission}, of_a=True),
    "api-message-read": Sample(lambda w: {"pk": w.message}, of_a=True),
    # 验收申请 (module `acceptance`, on in harbin). The routes that write A's acceptance take the draft A is writing
    # (where a wrong access check would save, upload, submit or delete); those that read or review it take the one
    # at 现场验收 (files, investment list, report, on-site visit) or the one at 公示 (recognition, publicity).
    "acceptance-edit": Sample(lambda w: {"pk": w.acceptance_draft}, of_a=True),
    # GET only sends everyone back to the hub (the id is not read); POST deletes the draft.
    "acceptance-delete": Sample(lambda w: {"pk": w.acceptance_draft}, of_a=True, methods=("post",)),
    "admission-evidence": Sample(lambda w: {"pk": w.admission, "file_pk": w.admission_file}, of_a=True),
    "acceptance-file": Sample(lambda w: {"pk": w.acceptance, "file_pk": w.acceptance_file}, of_a=True),
    "api-pilots-acceptance": Sample(lambda w: {"pk": w.acceptance_draft}, of_a=True),
    "api-pilots-acceptance-file": Sample(lambda w: {"pk": w.acceptance_draft, "kind": "contract"}, of_a=True),
    "api-pilots-acceptance-file-delete": Sample(
        lambda w: {"pk": w.acceptance_draft, "file_pk": w.acceptance_draft_file}, of_a=True
    ),
    "api-pilots-acceptance-submit": Sample(lambda w: {"pk": w.acceptance_draft}, of_a=True),
    "investment-template-prefilled": Sample(lambda w: {"pk": w.acceptance}, of_a=True),
    "summary-report-template-prefilled": Sample(lambda w: {"pk": w.acceptance}, of_a=True),
    "investment-check": Sample(lambda w: {"pk": w.acceptance}, of_a=True),
    "api-pilots-investment-template-prefilled": Sample(lambda w: {"pk": w.acceptance}, of_a=True),
    "api-pilots-summary-report-template-prefilled": Sample(lambda w: {"pk": w.acceptance}, of_a=True),
    "api-pilots-investment-check": Sample(lambda w: {"pk": w.acceptance}, of_a=True),
    "onsite-detail": Sample(lambda w: {"pk": w.acceptance}, of_a=True, by="hrb_bureau"),
    "api-pilots-onsite": Sample(lambda w: {"pk": w.acceptance}, of_a=True, by="hrb_bureau"),
    "api-pilots-onsite-book": Sample(lambda w: {"pk": w.acceptance}, of_a=True, by="hrb_bureau"),
    "api-pilots-onsite-conclude": Sample(lambda w: {"pk": w.acceptance}, of_a=True, by="hrb_bureau"),
    "recognition": Sample(lambda w: {"pk": w.recognised}, of_a=True, by="hrb_bureau"),
    "api-pilots-recognition": Sample(lambda w: {"pk": w.recognised}, of_a=True, by="hrb_bureau"),
    "api-pilots-recognition-adjust": Sample(
        lambda w: {"pk": w.recognised, "project_pk": w.recognised_project}, of_a=True, by="hrb_bureau"
    ),
    "publicity-batch": Sample(lambda w: {"pk": w.batch}, of_a=True, by="hrb_bureau"),
    "publicity-export-batch": Sample(lambda w: {"pk": w.batch}, of_a=True, by="hrb_bureau"),
    "api-publicity-batch": Sample(lambda w: {"pk": w.batch}, of_a=True, by="hrb_bureau"),
    "api-publicity-batch-publish": Sample(lambda w: {"pk": w.batch}, of_a=True, by="hrb_bureau"),
    "api-publicity-batch-close": Sample(lambda w: {"pk": w.batch}, of_a=True, by="hrb_bureau"),
    "api-publicity-objection-resolve": Sample(lambda w: {"pk": w.objection}, of_a=True, by="hrb_bureau"),
    "api-publicity-tranche-pay": Sample(lambda w: {"pk": w.tranche}, of_a=True, by="hrb_finance"),
    "publicity-public-batch": Sample(lambda w: {"pk": w.batch}),  # public, but a draft: 404 for everyone
    "workbench-module": Sample(lambda w: {"code": "admission"}),
    "module-home": Sample(lambda w: {"code": "admission"}),
    "api-module": Sample(lambda w: {"code": "admission"}),
    "nationwide-notice": Sample(lambda w: {"pk": w.notice}),
    "api-portal-national-notice": Sample(lambda w: {"pk": w.notice}),
    "api-portal-article": Sample(lambda w: {"pk": w.article}),
    # Regex patterns (no reverse() with kwargs): the path itself.
    "wagtail_serve": Sample(lambda w: w.article_path),
    "wagtaildocs_serve": Sample(lambda w: f"/documents/{w.document}/iso-public.pdf"),
    "wagtaildocs_authenticate_with_password": Sample(lambda w: {"restriction_id": 999999}),
    "wagtailcore_authenticate_with_password": Sample(
        lambda w: {"page_view_restriction_id": 999999, "page_id": w.article}
    ),
    "captcha-image": Sample(lambda w: f"/captcha/image/{w.captcha_key}/"),
    "captcha-image-2x": Sample(lambda w: f"/captcha/image/{w.captcha_key}@2/"),
    "captcha-audio": Sample(lambda w: f"/captcha/audio/{w.captcha_key}.wav"),
    # The marketplace (routes `market-*`, `api-market-*`) is off in harbin: these are walked in the national tenant
    # with a `MarketWorld` (see `_market_world`). A's listing is a draft with media and an expert — the public routes
    # must not show it; A's listed products are public by design and so are not used as samples.
    "market-expert": Sample(lambda m: {"pk": m.expert}, of_a=True, by=MARKET_A_PROVIDER),
    "market-expert-delete": Sample(lambda m: {"pk": m.expert}, of_a=True, by=MARKET_A_PROVIDER, reach=405),
    "market-expert-photo": Sample(lambda m: {"pk": m.expert}, of_a=True, by=MARKET_A_PROVIDER),
    "api-market-expert": Sample(lambda m: {"pk": m.expert}, of_a=True, by=MARKET_A_PROVIDER),
    "market-listed-expert-photo": Sample(lambda m: {"listing_pk": m.listing, "pk": m.expert}),  # public: 404 here
    "market-product": Sample(lambda m: {"pk": m.listing}),  # public, but a draft: 404 for everyone
    "market-thumbnail": Sample(lambda m: {"pk": m.listing}),
    "market-media": Sample(lambda m: {"pk": m.listing, "media_pk": m.media}),
    "api-market-catalogue-detail": Sample(lambda m: {"pk": m.listing}),
    # The taxonomy is the tenant's, written by its operations staff only: B is refused like on A's rows.
    "market-taxonomy-create": Sample(lambda m: {"kind": "tag"}),
    "market-taxonomy-edit": Sample(lambda m: {"kind": "tag", "pk": m.tag}, of_a=True, by=MARKET_OPS),
    "market-taxonomy-deactivate": Sample(lambda m: {"kind": "tag", "pk": m.tag}, of_a=True, by=MARKET_OPS, reach=405),
    "market-taxonomy-activate": Sample(lambda m: {"kind": "tag", "pk": m.tag}, of_a=True, by=MARKET_OPS, reach=405),
    "api-market-taxonomy-create": Sample(lambda m: {"kind": "tag"}),
    "api-market-taxonomy-item": Sample(lambda m: {"kind": "tag", "pk": m.tag}, of_a=True, by=MARKET_OPS),
    "market-order": Sample(lambda m: {"pk": m.order}, of_a=True, by=MARKET_A_BUYER),
    "market-proof-file": Sample(lambda m: {"pk": m.proof, "file_pk": m.proof_file}, of_a=True, by=MARKET_A_BUYER),
    "api-market-cart-item": Sample(lambda m: {"pk": m.cart_item}, of_a=True, by=MARKET_A_BUYER),
    "api-market-order": Sample(lambda m: {"pk": m.order}, of_a=True, by=MARKET_A_BUYER),
    "api-market-order-proofs": Sample(lambda m: {"pk": m.order}, of_a=True, by=MARKET_A_BUYER),
    "api-market-order-action": Sample(lambda m: {"pk": m.order, "action": "cancel"}, of_a=True, by=MARKET_A_BUYER),
    "api-market-line-rating": Sample(lambda m: {"pk": m.rated_line}, of_a=True, by=MARKET_A_BUYER),
    "market-listing-detail": Sample(lambda m: {"pk": m.listing}, of_a=True, by=MARKET_A_PROVIDER),
    "market-listing-edit": Sample(lambda m: {"pk": m.listing}, of_a=True, by=MARKET_A_PROVIDER),
    "market-listing-autosave": Sample(lambda m: {"pk": m.listing}, of_a=True, by=MARKET_A_PROVIDER, reach=405),
    "market-listing-action": Sample(
        lambda m: {"pk": m.listing, "action": "submit"}, of_a=True, by=MARKET_A_PROVIDER, reach=405
    ),
    "market-ops-delist": Sample(lambda m: {"pk": m.listed}, of_a=True, by=MARKET_OPS),  # only listed can be delisted
    "api-market-listing": Sample(lambda m: {"pk": m.listing}, of_a=True, by=MARKET_A_PROVIDER),
    "api-market-listing-action": Sample(lambda m: {"pk": m.listing, "action": "submit"}, of_a=True),
    "market-version-thumbnail": Sample(lambda m: {"version_pk": m.version}, of_a=True, by=MARKET_A_PROVIDER),
    "market-version-media": Sample(
        lambda m: {"version_pk": m.version, "media_pk": m.media}, of_a=True, by=MARKET_A_PROVIDER
    ),
    # Service vouchers, walked in national too. Activities and types are the tenant's offer: public to read, and
    # a certified enterprise grabs or applies for itself (B's own voucher, nothing of A's); A's voucher is its
    # buyer's; activities, types, figures and statements are written and read by the operations staff only.
    "voucher-public-activity": Sample(lambda m: {"activity_id": m.activity}),
    "api-voucher-activity": Sample(lambda m: {"pk": m.activity}),
    "voucher-activity": Sample(lambda m: {"activity_id": m.activity}),
    "voucher-grab": Sample(lambda m: {"type_id": m.voucher_type}),
    "voucher-apply": Sample(lambda m: {"type_id": m.voucher_type}),
    "api-voucher-grab": Sample(lambda m: {"pk": m.voucher_type}),
    "api-voucher-apply": Sample(lambda m: {"pk": m.voucher_type}),
    "voucher-detail": Sample(lambda m: {"voucher_id": m.voucher}, of_a=True, by=MARKET_A_BUYER),
    "api-voucher-mine-detail": Sample(lambda m: {"pk": m.voucher}, of_a=True, by=MARKET_A_BUYER),
    "voucher-ops-activity": Sample(lambda m: {"pk": m.activity}, of_a=True, by=MARKET_OPS),
    "voucher-ops-activity-edit": Sample(lambda m: {"pk": m.activity}, of_a=True, by=MARKET_OPS),
    "voucher-ops-figures-xlsx": Sample(lambda m: {"pk": m.activity}, of_a=True, by=MARKET_OPS),
    "voucher-ops-type-new": Sample(lambda m: {"activity_pk": m.activity}, of_a=True, by=MARKET_OPS),
    "voucher-ops-type-edit": Sample(
        lambda m: {"activity_pk": m.activity, "type_pk": m.voucher_type}, of_a=True, by=MARKET_OPS
    ),
    "voucher-settlement": Sample(lambda m: {"pk": m.settlement}, of_a=True, by=MARKET_OPS),
    "voucher-settlement-xlsx": Sample(lambda m: {"pk": m.settlement}, of_a=True, by=MARKET_OPS),
    "voucher-settlement-pdf": Sample(lambda m: {"pk": m.settlement}, of_a=True, by=MARKET_OPS),
    "api-voucher-ops-activity": Sample(lambda m: {"pk": m.activity}, of_a=True, by=MARKET_OPS),
    "api-voucher-ops-activity-publish": Sample(lambda m: {"pk": m.activity}, of_a=True, by=MARKET_OPS, reach=405),
    "api-voucher-ops-types": Sample(lambda m: {"pk": m.activity}, of_a=True, by=MARKET_OPS),
    "api-voucher-ops-type": Sample(lambda m: {"pk": m.activity, "type_pk": m.voucher_type}, of_a=True, by=MARKET_OPS),
    "api-voucher-ops-figures": Sample(lambda m: {"pk": m.activity}, of_a=True, by=MARKET_OPS),
    "api-voucher-ops-figures-export": Sample(lambda m: {"pk": m.activity}, of_a=True, by=MARKET_OPS),
    "api-voucher-ops-settlement": Sample(lambda m: {"pk": m.settlement}, of_a=True, by=MARKET_OPS),
    "api-voucher-ops-settlement-confirm": Sample(lambda m: {"pk": m.settlement}, of_a=True, by=MARKET_OPS, reach=405),
    "api-voucher-ops-settlement-export": Sample(
        lambda m: {"pk": m.settlement, "kind": "xlsx"}, of_a=True, by=MARKET_OPS
    ),
    # 生态申报, walked in jiangmen with an `EcoWorld`. The provider's routes take A's rows (the repeat declaration,
    # the product and the change it is writing); the alliance routes take A's membership (the unit that confirmed A
    # and the city reach it); the city's unit pages take the hardware unit (the bureau reaches it).
    "ecosystem-declaration-edit": Sample(lambda e: {"pk": e.declaration}, of_a=True),
    "ecosystem-declaration-delete": Sample(lambda e: {"pk": e.declaration}, of_a=True, methods=("post",)),
    "ecosystem-declaration-product-new": Sample(lambda e: {"pk": e.first_declaration}, of_a=True, methods=("post",)),
    "ecosystem-declaration-file": Sample(lambda e: {"pk": e.declaration, "file_pk": e.declaration_file}, of_a=True),
    "ecosystem-product-edit": Sample(lambda e: {"pk": e.product}, of_a=True),
    "ecosystem-product-submit": Sample(lambda e: {"pk": e.product}, of_a=True, methods=("post",)),
    "ecosystem-product-delete": Sample(lambda e: {"pk": e.product}, of_a=True, methods=("post",)),
    "ecosystem-product-file": Sample(lambda e: {"pk": e.product, "file_pk": e.product_file}, of_a=True),
    "ecosystem-case-contract": Sample(lambda e: {"pk": e.product, "case_pk": e.case}, of_a=True),
    "ecosystem-change-edit": Sample(lambda e: {"pk": e.change}, of_a=True),
    "ecosystem-change-delete": Sample(lambda e: {"pk": e.change}, of_a=True, methods=("post",)),
    "ecosystem-member-leave": Sample(lambda e: {"pk": e.member}, of_a=True, by=ECO_UNIT, methods=("post",)),
    "ecosystem-unit": Sample(lambda e: {"pk": e.unit}, of_a=True, by=ECO_BUREAU),
    "ecosystem-unit-export": Sample(lambda e: {"pk": e.unit}, of_a=True, by=ECO_BUREAU),
    "ecosystem-public-product": Sample(lambda e: {"pk": e.product}),  # public, but a draft: 404 for everyone
    "api-ecosystem-declaration": Sample(lambda e: {"pk": e.declaration}, of_a=True),
    "api-ecosystem-declaration-submit": Sample(lambda e: {"pk": e.declaration}, of_a=True, reach=405),
    "api-ecosystem-declaration-problems": Sample(lambda e: {"pk": e.declaration}, of_a=True),
    "api-ecosystem-product": Sample(lambda e: {"pk": e.product}, of_a=True),
    "api-ecosystem-product-submit": Sample(lambda e: {"pk": e.product}, of_a=True, reach=405),
    "api-ecosystem-product-problems": Sample(lambda e: {"pk": e.product}, of_a=True),
    "api-ecosystem-member-leave": Sample(lambda e: {"pk": e.member}, of_a=True, by=ECO_UNIT, reach=405),
    "api-ecosystem-change": Sample(lambda e: {"pk": e.change}, of_a=True),
    "api-ecosystem-change-submit": Sample(lambda e: {"pk": e.change}, of_a=True, reach=405),
    "api-ecosystem-public-product": Sample(lambda e: {"pk": e.product}),  # public, but a draft: 404 for everyone
}

# A minimal body that would act if the route let the caller at A's object (default: empty).
BODIES = {
    ("ecosystem-member-leave", "post"): {"reason": "被他人移出"},
    ("api-ecosystem-member-leave", "post"): {"reason": "被他人移出"},
    ("api-ecosystem-declaration", "patch"): {"step": 2, "profile": "被他人修改"},
    ("api-ecosystem-product", "patch"): {"name": "被他人改名", "description": "被他人修改"},
    ("api-ecosystem-change", "patch"): {"contact_name": "被他人修改", "reason": "被他人修改"},
    ("ecosystem-declaration-edit", "post"): {"step": "2", "profile": "被他人修改"},
    ("ecosystem-product-edit", "post"): {"name": "被他人改名"},
    ("ecosystem-change-edit", "post"): {"contact_name": "被他人修改", "reason": "被他人修改"},
    ("application-detail", "post"): {"do": "withdraw"},
    ("sub-account", "post"): {"action": "delete"},
    ("api-task-decide", "post"): {"action": "approve"},
    ("api-sub-account", "patch"): {"email": "taken-over@example.com", "menu_permissions": ["acceptance"]},
    ("api-sub-account-password", "post"): {"password": "Taken#Over2026"},
    ("api-pilots-admission", "put"): {"basic": {"legal_rep": "被他人修改"}, "benchmark": False},
    ("market-listing-edit", "post"): {"name": "已被他人改名"},
    ("api-market-listing", "put"): {"name": "已被他人改名"},
    ("api-market-expert", "put"): {"name": "已被他人改名"},
    ("api-market-expert", "patch"): {"name": "已被他人改名"},
    ("api-market-cart-item", "patch"): {"quantity": 9},
    ("api-market-order-action", "post"): {"reason": "被他人取消"},
    ("api-market-line-rating", "post"): {"stars": 1, "text": "被他人评价"},
    ("market-ops-delist", "post"): {"reason": "被他人下架"},
    ("market-taxonomy-edit", "post"): {"name": "被他人改名"},
    ("api-market-taxonomy-item", "patch"): {"name": "被他人改名", "is_active": False},
    ("api-pilots-acceptance", "put"): {"basic": {"contact_name": "被他人修改"}, "benchmark": False},
    ("onsite-detail", "post"): {
        "do": "book",
        "book-scheduled_at": "2031-01-01T09:00",
        "book-place": "被他人改约",
        "book-contact_name": "他人",
        "book-contact_phone": "0451-86660299",
    },
    ("api-pilots-onsite-book", "post"): {
        "scheduled_at": "2031-01-01T09:00:00+08:00",
        "place": "被他人改约",
        "contact_name": "他人",
        "contact_phone": "0451-86660299",
    },
    ("api-pilots-onsite-conclude", "post"): {"conclusion": "fail", "note": "被他人判定", "deadline": "2031-01-01"},
    ("api-pilots-recognition-adjust", "post"): {"amount": "1.00", "reason": "被他人调整"},
    ("publicity-batch", "post"): {"do": "delete"},
    ("api-publicity-objection-resolve", "post"): {"resolution": "被他人处理"},
    ("api-publicity-tranche-pay", "post"): {"paid_on": "2025-01-01", "voucher_number": "被他人登记"},
}


def _allowed_methods(view) -> list[str] | None:
    """The methods Django's `require_http_methods` lets through to a function view (None: no such decorator). It
    answers 405 to every other method before the view runs, for everyone alike, so those are not requested."""
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = view.__closure__[code.co_freevars.index("request_method_list")]
            return [method.lower() for method in cell.cell_contents]
        view = getattr(view, "__wrapped__", None)
    return None


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: Callable = field(compare=False)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def is_market(self) -> bool:
        """The marketplace's and the vouchers' routes: both modules are off in harbin, walked in national."""
        return self.name.startswith(("market-", "api-market-", "voucher-", "api-voucher-"))

    @property
    def is_ecosystem(self) -> bool:
        """生态申报's routes: the module is on in jiangmen only, walked there."""
        return self.name.startswith(("ecosystem-", "api-ecosystem-"))

    @property
    def tenant(self) -> str:
        """The tenant whose walk requests this route."""
        return "national" if self.is_market else "jiangmen" if self.is_ecosystem else "harbin"

    @property
    def has_parameters(self) -> bool:
        return "<" in self.pattern or "(" in self.pattern

    @property
    def methods(self) -> list[str]:
        """What the view answers: the handlers a class-based view defines; GET and POST for a function view, or
        what its `require_http_methods` (require_GET, require_POST) lets through; a sample may narrow it."""
        sample = SAMPLES.get(self.name)
        if sample is not None and sample.methods:
            return list(sample.methods)
        cls = getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)
        if cls is None:
            allowed = _allowed_methods(self.callback)
            return [m for m in ("get", "post") if allowed is None or m in allowed]
        return [m for m in ("get", "post", "put", "patch", "delete") if m in cls.http_method_names and hasattr(cls, m)]

    def path(self, world: World | MarketWorld) -> str:
        from django.urls import reverse

        if not self.has_parameters:
            return reverse(self.name, urlconf="config.urls_tenant")
        built = SAMPLES[self.name].build(world)
        return built if isinstance(built, str) else reverse(self.name, kwargs=built, urlconf="config.urls_tenant")


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield Route(entry.name or pattern, pattern, entry.callback)


def _all_routes() -> list[Route]:
    return list(_walk(get_resolver("config.urls_tenant")))


def _routes(walk: Walk | None = None) -> list[Route]:
    """The routes the matrix requests (in one walk's tenant: the marketplace's in national, all others in harbin)."""
    return [
        route
        for route in _all_routes()
        if not route.pattern.startswith(tuple(EXCLUDED_PREFIXES))
        and route.name not in OPT_OUT
        and (walk is None or route.tenant == walk.tenant)
    ]


# --- Requests and verdicts -----------------------------------------------------------------------------------------
def _client(tenant_client, username: str | None, tenant: str = "harbin"):
    from django.contrib.auth import get_user_model

    client = tenant_client(tenant)
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def _send(client, route: Route, path: str, method: str):
    body = BODIES.get((route.name, method), {})
    if method == "get":
        return client.get(path)
    if route.is_api:
        return client.generic(method.upper(), path, json.dumps(body), content_type="application/json")
    return client.post(path, body)


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "ignore")


def _leaks(text: str, secrets: list[str]) -> list[str]:
    escaped = {secret: json.dumps(secret)[1:-1] for secret in secrets}  # JSON's \\uXXXX form of Chinese names
    return [secret for secret in secrets if secret in text or escaped[secret] in text]


def _refusal_problem(party: str, route: Route, response) -> str | None:
    """None when the party got what it should; otherwise what was wrong."""
    status = response.status_code
    if route.name in PUBLIC:
        return None
    if party == "anonymous":
        if route.is_api:
            return None if status in (401, 403) else "should be 401/403"
        to_login = status == 302 and response["Location"].startswith("/accounts/login/")
        return None if to_login else "should redirect to /accounts/login/"
    if route.name in OWN_ACCOUNT:
        return None
    if party == "other_tenant" or SAMPLES.get(route.name, Sample(dict)).of_a:
        return None if status in (403, 404) else "should be 403/404"
    return None  # a member of this tenant on a route without A's ids: their own data, checked for leaks only


PARTIES = {"anonymous": None, "other_tenant": OTHER_TENANT_USERNAME, "other_org": B_USERNAME}


@dataclass(frozen=True)
class Walk:
    """One tenant's walk: its world (a fixture), the outsiders, A's main account and what must not change."""

    tenant: str
    world: str
    parties: dict[str, str | None]
    a_username: str
    state: Callable


WALKS = {
    "harbin": Walk("harbin", "world", PARTIES, A_USERNAME, _a_state),
    "national": Walk(
        "national",
        "market_world",
        {
            "anonymous": None,
            "other_tenant": MARKET_OTHER_TENANT_USERNAME,
            "other_org": MARKET_B_PROVIDER,
            "other_org_buyer": MARKET_B_BUYER,
        },
        MARKET_A_PROVIDER,
        _market_a_state,
    ),
    "jiangmen": Walk(
        "jiangmen",
        "eco_world",
        {
            "anonymous": None,
            "other_tenant": ECO_OTHER_TENANT_USERNAME,
            "other_org": ECO_B_USERNAME,
            "other_unit": ECO_OTHER_UNIT,
        },
        "eco_p90",
        _eco_a_state,
    ),
}


@pytest.mark.parametrize(
    ("tenant", "party"), [(tenant, party) for tenant, walk in WALKS.items() for party in walk.parties]
)
def test_outsiders_get_nothing_of_organisation_a_on_any_route(tenant, party, request, tenant_client):
    walk = WALKS[tenant]
    world = request.getfixturevalue(walk.world)
    before = walk.state(world)
    problems = []
    for route in _routes(walk):
        path = route.path(world)
        for method in route.methods:
            response = _send(_client(tenant_client, walk.parties[party], tenant), route, path, method)
            text = _text(response)
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {path} [{route.name}] answered {response.status_code}")
                continue
            leaked = _leaks(text, world.secrets)
            if leaked:
                problems.append(f"{method.upper()} {path} [{route.name}] showed A's {leaked}")
            wrong = _refusal_problem(party, route, response)
            if wrong:
                problems.append(f"{method.upper()} {path} [{route.name}] answered {response.status_code}: {wrong}")
    assert not problems, f"{party} on {tenant}:\n" + "\n".join(problems)
    assert walk.state(world) == before, "a request of an outsider changed A's data"


def _reached(walk: Walk, world, tenant_client) -> dict[str, str]:
    """A (or the tenant's staff, as a sample says) GETs every route the outsiders were refused on A's ids."""
    routes = [r for r in _routes(walk) if SAMPLES.get(r.name, Sample(dict)).of_a and "get" in r.methods]
    seen = {}
    for route in routes:
        sample = SAMPLES[route.name]
        response = _client(tenant_client, sample.by or walk.a_username, walk.tenant).get(route.path(world))
        assert response.status_code == sample.reach, f"{route.name}: {response.status_code}"
        seen[route.name] = _text(response)
    return seen


def test_organisation_a_reaches_every_id_the_outsiders_are_refused(world, tenant_client):
    """The positive control: the ids are A's real rows, so the refusals above are about the caller, not the id."""
    seen = _reached(WALKS["harbin"], world, tenant_client)
    assert len(seen) >= 6
    assert A_TITLE in seen["application-detail"] and A_FILE_NAME in seen["application-detail"]
    assert A_TITLE in seen["api-application"] and A_SUB_USERNAME in seen["sub-account"]
    assert A_SUB_USERNAME in seen["api-sub-account"] and seen["application-attachment"].startswith("%PDF")
    assert A_TITLE in seen["message-detail"]
    assert A_LEGAL_REP in seen["api-pilots-admission"]
    # A's acceptances: A its draft and its files, the bureau the visit, the recognition and the draft batch.
    assert A_PROJECT_DRAFT in seen["acceptance-edit"] and A_PROJECT_DRAFT in seen["api-pilots-acceptance"]
    assert seen["acceptance-file"].startswith("%PDF") and seen["admission-evidence"].startswith("%PDF")
    assert (
        seen["investment-template-prefilled"].startswith("PK") and seen["summary-report-template-prefilled"][:2] == "PK"
    )
    assert A_VISIT_PLACE in seen["onsite-detail"] and A_VISIT_PLACE in seen["api-pilots-onsite"]
    assert A_PROJECT_PUBLICITY in seen["recognition"] and A_PROJECT_PUBLICITY in seen["api-pilots-recognition"]
    assert A_BATCH_TITLE in seen["publicity-batch"] and A_OBJECTION in seen["publicity-batch"]
    assert A_BATCH_TITLE in seen["api-publicity-batch"] and seen["publicity-export-batch"].startswith("PK")


def test_a_draft_publicity_batch_is_not_public(world, tenant_client):
    """The public 公示 routes are walked with A's draft batch: 404 for everyone, A and the bureau included, and the
    lists show nothing of it (the walk above checks that the outsiders see none of A's strings anywhere)."""
    from django.urls import reverse

    page = reverse("publicity-public-batch", kwargs={"pk": world.batch}, urlconf="config.urls_tenant")
    for username in (None, A_USERNAME, "hrb_bureau", B_USERNAME):
        client = _client(tenant_client, username)
        assert client.get(page).status_code == 404, username
        listing = _text(client.get("/publicity/")) + _text(client.get("/api/v1/pilots/publicity/public/"))
        assert A_BATCH_TITLE not in listing and A_PROJECT_PUBLICITY not in listing, username


def test_organisation_a_reaches_every_marketplace_id_the_outsiders_are_refused(market_world, tenant_client):
    """The same positive control in national: A's provider its draft, media and expert, A's buyer its order, proof
    and rating, the operations staff the taxonomy and the delisting page."""
    seen = _reached(WALKS["national"], market_world, tenant_client)
    assert len(seen) >= 15
    assert MARKET_LISTING_NAME in seen["market-listing-detail"] and MARKET_LISTING_NAME in seen["api-market-listing"]
    assert MARKET_EXPERT_NAME in seen["market-expert"] and MARKET_EXPERT_NAME in seen["api-market-expert"]
    assert "PNG" in seen["market-version-media"][:4] and "PNG" in seen["market-expert-photo"][:4]
    assert MARKET_PROOF_NAME in seen["market-order"] and seen["market-proof-file"].startswith("%PDF")
    assert MARKET_PROOF_NAME in seen["api-market-order"]
    voucher_number, _paid, settlement_number = market_world.secrets[:3]
    assert voucher_number in seen["voucher-detail"] and voucher_number in seen["api-voucher-mine-detail"]
    assert settlement_number in seen["voucher-settlement"] and settlement_number in seen["api-voucher-ops-settlement"]


def test_organisation_a_reaches_every_ecosystem_id_the_outsiders_are_refused(eco_world, tenant_client):
    """The same positive control in jiangmen: A its declaration, product, files and change; the unit that confirmed A
    its alliance member; the bureau the unit's pages."""
    seen = _reached(WALKS["jiangmen"], eco_world, tenant_client)
    assert len(seen) >= 10
    assert ECO_A_COOPERATION in seen["api-ecosystem-declaration"] and ECO_A_PRODUCT in seen["api-ecosystem-product"]
    assert ECO_A_PROOF in seen["api-ecosystem-product"] and ECO_A_REASON in seen["api-ecosystem-change"]
    assert seen["ecosystem-declaration-file"].startswith("%PDF") and seen["ecosystem-product-file"].startswith("%PDF")
    assert seen["ecosystem-case-contract"].startswith("%PDF")
    assert ECO_A_PRODUCT in seen["ecosystem-product-edit"]


def test_excluded_areas_refuse_outsiders_at_the_door(world, tenant_client):
    """What the matrix leaves out by prefix still turns outsiders away at its entrance, and media is not served."""
    media = [f"/media/{world.attachment_path}", f"/media/harbin/{world.attachment_path}"]
    for party, username in PARTIES.items():
        for path in ("/cms/", "/django-admin/"):
            response = _client(tenant_client, username).get(path)
            expected = {302} if username is None else {403}
            assert response.status_code in expected, (party, path, response.status_code)
            assert not _leaks(_text(response), world.secrets)
        for path in media:
            assert _client(tenant_client, username).get(path).status_code == 404, (party, path)
    schema = _client(tenant_client, B_USERNAME).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200 and not _leaks(_text(schema), world.secrets)


def test_every_route_is_requested_or_excluded_with_a_reason():
    """A new URL pattern is walked automatically; this fails until its parameters have samples (or it opts out)."""
    routes = _all_routes()
    names = {route.name for route in routes}
    assert len(routes) > 100  # the resolver walk reaches included URLconfs (Wagtail's admin alone has ~190)
    for table in (PUBLIC, OWN_ACCOUNT, OPT_OUT, SAMPLES):
        stale = set(table) - names
        assert not stale, f"entries for routes that no longer exist: {sorted(stale)}"
    assert all(
        reason.strip() for table in (EXCLUDED_PREFIXES, PUBLIC, OWN_ACCOUNT, OPT_OUT) for reason in table.values()
    )
    unsampled = [f"{r.name} ({r.pattern})" for r in _routes() if r.has_parameters and r.name not in SAMPLES]
    assert not unsampled, f"routes with URL parameters need SAMPLES (or an OPT_OUT reason): {unsampled}"
    assert not set(PUBLIC) & set(OWN_ACCOUNT)
    requested = {route.name for route in _routes()}
    assert {"application-detail", "api-task-decide", "sub-account", "api-sub-account", "workbench"} <= requested
    harbin, national, jiangmen = ({route.name for route in _routes(walk)} for walk in WALKS.values())
    assert harbin | national | jiangmen == requested
    assert not harbin & national and not harbin & jiangmen and not national & jiangmen
    assert {"api-ecosystem-declaration", "api-ecosystem-product", "ecosystem-case-contract"} <= jiangmen
    assert {"market-order", "market-proof-file", "api-market-cart-item", "market-listing-detail"} <= national
    assert {"voucher-detail", "api-voucher-mine-detail", "api-voucher-grab", "voucher-settlement"} <= national
    assert {"acceptance-edit", "onsite-detail", "recognition", "publicity-batch", "api-publicity-tranche-pay"} <= harbin
    assert {"publicity-public-batch", "api-pilots-acceptance-file-delete", "investment-check"} <= harbin
    for route in _routes(WALKS["national"]):  # the marketplace's ids are real rows of national (no 0 placeholders)
        built = SAMPLES[route.name].build(MarketWorld(*range(1, 16))) if route.name in SAMPLES else {}
        assert 0 not in (built.values() if isinstance(built, dict) else ()), route.name
