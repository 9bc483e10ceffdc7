"""Provider listings (issue #12): the listing form's rules with the seed's numbers, versions and states through the
`listing` review chain (ops → assigned expert → province), delisting, pages, API and isolation."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tenant_apps.configuration.models import Industry
from tenant_apps.marketplace import listings
from tenant_apps.marketplace.models import Catalogue, Category, Listing, ListingVersion, Tag
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Task
from tenants.errors import DomainError

pytestmark = pytest.mark.django_db
User = get_user_model()
MB = 1024 * 1024


def member(username):
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


def png(size: int | None = None, name: str = "图.png") -> SimpleUploadedFile:
    """A real PNG, padded with zeros after IEND to exactly `size` bytes when given."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    data = buffer.getvalue()
    if size is not None:
        data += b"\0" * (size - len(data))
    return SimpleUploadedFile(name, data, content_type="image/png")


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)


def pdf(name="案例.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def taxonomy(tenant_schema):
    with tenant_schema("national"):
        catalogue = Catalogue.objects.get_or_create(name="解决方案和产品")[0]
        categories = [Category.objects.get_or_create(name=f"测试分类{i}")[0] for i in range(6)]
        tags = [Tag.objects.get_or_create(name=f"测试标签{i}")[0] for i in range(2)]
        industries = [
            Industry.objects.get_or_create(code=f"test-ind-{i}", defaults={"name": f"行业{i}"})[0] for i in range(4)
        ]
    return {"catalogue": catalogue, "categories": categories, "tags": tags, "industries": industries}


def case(n=1, **extra):
    row = {
        "customer": f"客户{n}",
        "customer_output": "12345.67",
        "contract_amount": "88.50",
        "delivery_months": 6,
        "contact_name": "",
        "document": pdf(),
    }
    row.update(extra)
    return row


def spec(**extra):
    row = {"name": "标准版", "purchase_mode": "year", "pricing": "simple", "unit_price": "19800.00"}
    row.update(extra)
    return row


def data(taxonomy, **extra):
    row = {
        "name": "设备预测性维护平台",
        "related_product": "智维云",
        "catalogue": taxonomy["catalogue"].pk,
        "tags": [taxonomy["tags"][0].pk],
        "categories": [c.pk for c in taxonomy["categories"][:2]],
        "industries": [taxonomy["industries"][0].pk],
        "summary": "振动监测与寿命预测",
        "price_min": "10000.00",
        "price_max": "200000.00",
        "delivery_cycle_days": 30,
        "delivery_person_days": 20,
        "contact_name": "王经理",
        "contact_phone": "13800001234",
        "contact_email": "",
        "intro": [
            {"type": "banner", "value": {"title": "预测性维护", "text": "降低停机", "media": None}},
            {"type": "highlights", "value": {"items": ["提前 7 天预警", "零改造接入"]}},
            {"type": "description", "value": {"text": "服务内容……"}},
            {"type": "support", "value": {"hours": "9:00-18:00", "scope": "远程", "hotline": "400-000", "email": ""}},
        ],
    }
    row.update(extra)
    return row


def complete_draft(taxonomy, username="nat_provider", **extra):
    return listings.listing_create(
        membership=member(username),
        data=data(taxonomy, **extra),
        cases=[case(1), case(2), case(3)],
        specs=[spec(), spec(name="体验版", pricing="free", unit_price="0")],
        thumbnail=png(),
    )


def open_task(version):
    return version.application.tasks.get(state=Task.State.OPEN)


def decide(version, username, action="approve", opinion=""):
    version.application.refresh_from_db()
    return engine.task_decide(
        task_id=open_task(version).pk, membership=member(username), action=action, opinion=opinion
    )


def approve_all(version):
    """ops first review → ops assigns zhang_expert → expert → province final review."""
    decide(version, "nat_ops")
    task = open_task(version)
    engine.task_assign_experts(
        task_id=task.pk, membership=member("nat_ops"), expert_user_ids=[User.objects.get(username="zhang_expert").pk]
    )
    decide(version, "zhang_expert")
    return decide(version, "nat_province")


def listing_of(version):
    return Listing.objects.get(pk=version.listing_id)


# --- Rules with the seed's numbers -----------------------------------------------------------------------------------
def test_a_complete_draft_is_saved_with_its_cases_specs_and_intro(tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        version = complete_draft(taxonomy)
        assert version.number == 1 and version.application.state == "draft"
        assert listing_of(version).state == Listing.State.DRAFT
        assert [c.position for c in version.cases.all()] == [1, 2, 3]
        assert version.cases.get(position=1).customer_output == Decimal("12345.67")
        free = version.specs.get(name="体验版")
        assert free.unit_price == Decimal("0.00")
        assert [b["type"] for b in version.intro] == ["banner", "highlights", "description", "support"]


@pytest.mark.parametrize(("size", "ok"), [(2 * MB, True), (2 * MB + 1, False)], ids=["exactly-2MB", "2MB-plus-1-byte"])
def test_thumbnail_is_at_most_2_mb(tenant_schema, taxonomy, settings, tmp_path, size, ok):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        call = lambda: listings.listing_create(  # noqa: E731
            membership=member("nat_provider"), data=data(taxonomy), thumbnail=png(size)
        )
        if ok:
            assert call().thumbnail
        else:
            with pytest.raises(DomainError) as error:
                call()
            assert (error.value.code, error.value.field) == ("upload.too_large", "thumbnail")


def test_thumbnail_spoofed_by_extension_is_refused(tenant_schema, taxonomy):
    with tenant_schema("national"):
        fake = SimpleUploadedFile("图.png", b"MZ\x90\x00 this is an exe" * 20, content_type="image/png")
        with pytest.raises(DomainError) as error:
            listings.listing_create(membership=member("nat_provider"), data=data(taxonomy), thumbnail=fake)
        assert (error.value.code, error.value.field) == ("upload.wrong_type", "thumbnail")
        pdf_as_png = SimpleUploadedFile("图.png", PDF, content_type="image/png")
        with pytest.raises(DomainError) as error:
            listings.listing_create(membership=member("nat_provider"), data=data(taxonomy), thumbnail=pdf_as_png)
        assert error.value.code == "upload.wrong_type"


def test_case_document_spoofed_by_extension_is_refused(tenant_schema, taxonomy):
    with tenant_schema("national"):
        fake = SimpleUploadedFile("方案.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
        with pytest.raises(DomainError) as error:
            listings.listing_create(
                membership=member("nat_provider"), data=data(taxonomy), cases=[case(1, document=fake)]
            )
        assert error.value.code == "upload.wrong_type" and error.value.field == "cases.1.document"


def test_case_document_over_100_mb_is_refused(tenant_schema, taxonomy):
    with tenant_schema("national"):
        big = pdf()
        big.size = 100 * MB + 1  # the size check comes before reading
        with pytest.raises(DomainError) as error:
            listings.listing_create(
                membership=member("nat_provider"), data=data(taxonomy), cases=[case(1, document=big)]
            )
        assert error.value.code == "upload.too_large"


def test_case_document_may_be_an_mp4(tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    with tenant_schema("national"):
        version = listings.listing_create(
            membership=member("nat_provider"),
            data=data(taxonomy),
            cases=[case(1, document=SimpleUploadedFile("演示.mp4", mp4, content_type="video/mp4"))],
        )
        assert version.cases.get().document_name == "演示.mp4"


@pytest.mark.parametrize(("count", "ok"), [(5, True), (6, False)])
def test_at_most_five_categories(tenant_schema, taxonomy, count, ok):
    with tenant_schema("national"):
        chosen = [c.pk for c in taxonomy["categories"][:count]]
        call = lambda: listings.listing_create(  # noqa: E731
            membership=member("nat_provider"), data=data(taxonomy, categories=chosen)
        )
        if ok:
            assert call().categories.count() == 5
        else:
            with pytest.raises(DomainError) as error:
                call()
            assert (error.value.code, error.value.field) == ("market.too_many_categories", "categories")


@pytest.mark.parametrize(("count", "ok"), [(3, True), (4, False)])
def test_at_most_three_industries(tenant_schema, taxonomy, count, ok):
    with tenant_schema("national"):
        chosen = [i.pk for i in taxonomy["industries"][:count]]
        call = lambda: listings.listing_create(  # noqa: E731
            membership=member("nat_provider"), data=data(taxonomy, industries=chosen)
        )
        if ok:
            assert call().industries.count() == 3
        else:
            with pytest.raises(DomainError) as error:
                call()
            assert (error.value.code, error.value.field) == ("market.too_many_industries", "industries")


@pytest.mark.parametrize(
    ("low", "high", "ok"), [("100.00", "100.00", True), ("100.01", "100.00", False)], ids=["equal", "min-above-max"]
)
def test_minimum_price_not_above_maximum(tenant_schema, taxonomy, low, high, ok):
    with tenant_schema("national"):
        call = lambda: listings.listing_create(  # noqa: E731
            membership=member("nat_provider"), data=data(taxonomy, price_min=low, price_max=high)
        )
        if ok:
            assert call().price_min == Decimal(low)
        else:
            with pytest.raises(DomainError) as error:
                call()
            assert (error.value.code, error.value.field) == ("market.price_range", "price_min")


def test_customer_output_keeps_two_decimals_not_three(tenant_schema, taxonomy):
    with tenant_schema("national"):
        version = listings.listing_create(
            membership=member("nat_provider"),
            data=data(taxonomy),
            cases=[case(1, customer_output="0.01", document=None)],
        )
        assert version.cases.get().customer_output == Decimal("0.01")
        with pytest.raises(DomainError) as error:
            listings.listing_create(
                membership=member("nat_provider"), data=data(taxonomy), cases=[case(1, customer_output="1.005")]
            )
        assert (error.value.code, error.value.field) == ("market.decimal_places", "cases.1.customer_output")


def test_free_spec_with_a_price_is_refused(tenant_schema, taxonomy):
    with tenant_schema("national"):
        with pytest.raises(DomainError) as error:
            listings.listing_create(
                membership=member("nat_provider"), data=data(taxonomy), specs=[spec(pricing="free", unit_price="0.01")]
            )
        assert (error.value.code, error.value.field) == ("market.free_spec_priced", "specs.1.unit_price")
        with pytest.raises(DomainError) as error:
            listings.listing_create(
                membership=member("nat_provider"), data=data(taxonomy), specs=[spec(purchase_mode="week")]
            )
        assert error.value.field == "specs.1.purchase_mode"


def test_four_cases_are_refused_on_save(tenant_schema, taxonomy):
    with tenant_schema("national"):
        with pytest.raises(DomainError) as error:
            listings.listing_create(
                membership=member("nat_provider"),
                data=data(taxonomy),
                cases=[case(1, document=None), case(2, document=None), case(3, document=None), case(4, document=None)],
            )
        assert error.value.code == "market.case_count"


def test_two_cases_are_refused_on_submit_three_accepted(tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        provider = member("nat_provider")
        version = complete_draft(taxonomy)
        listings.listing_update(
            membership=provider,
            listing_id=version.listing_id,
            data=data(taxonomy),
            cases=[case(1, document=None), case(2, document=None), {}],  # the third row left blank
        )
        assert version.cases.count() == 2
        with pytest.raises(DomainError) as error:
            listings.listing_submit(membership=provider, listing_id=version.listing_id)
        assert error.value.code == "market.case_count"
        listings.listing_update(
            membership=provider,
            listing_id=version.listing_id,
            data=data(taxonomy),
            cases=[case(1, document=None), case(2, document=None), case(3)],  # kept documents of 1 and 2
        )
        submitted = listings.listing_submit(membership=provider, listing_id=version.listing_id)
        assert submitted.application.state == "in_review"


def test_submit_needs_contact_phone_or_email(tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        provider = member("nat_provider")
        version = complete_draft(taxonomy, contact_phone="", contact_email="")
        with pytest.raises(DomainError) as error:
            listings.listing_submit(membership=provider, listing_id=version.listing_id)
        assert error.value.code == "market.contact_required"
        listings.listing_update(
            membership=provider,
            listing_id=version.listing_id,
            data=data(taxonomy, contact_phone="", contact_email="wang@example.com"),
        )
        assert (
            listings.listing_submit(membership=provider, listing_id=version.listing_id).application.state == "in_review"
        )


def test_submit_needs_a_thumbnail_and_a_spec(tenant_schema, taxonomy):
    with tenant_schema("national"):
        version = listings.listing_create(membership=member("nat_provider"), data=data(taxonomy))
        with pytest.raises(DomainError) as error:
            listings.listing_submit(membership=member("nat_provider"), listing_id=version.listing_id)
        fields = {problem.field for problem in error.value.problems}
        assert {"thumbnail", "cases", "specs"} <= fields


@pytest.mark.parametrize(
    "blocks",
    [
        "not a list",
        [{"type": "video", "value": {}}],
        [{"type": "banner", "value": {"title": "x", "script": "<b>"}}],
        [{"type": "banner", "value": {"title": "x" * 61}}],
        [{"type": "highlights", "value": {"items": "one"}}],
        [{"type": "gallery", "value": {"media": ["1"]}}],
        [{"type": "gallery", "value": {"media": [True]}}],
        [{"type": "description", "value": {"text": 5}}],
    ],
)
def test_intro_blocks_checked_refuses_what_is_not_one_of_the_five_blocks(blocks):
    with pytest.raises(DomainError) as error:
        listings.intro_blocks_checked(blocks)
    assert (error.value.code, error.value.field) == ("market.intro_invalid", "intro")


def test_intro_blocks_checked_keeps_order_and_trims():
    blocks = [
        {"type": "support", "value": {"hours": " 24h "}},
        {"type": "gallery", "value": {"media": [3, 1]}},
        {"type": "banner", "value": {"title": "标题"}},
    ]
    assert listings.intro_blocks_checked(blocks) == [
        {"type": "support", "value": {"hours": "24h", "scope": "", "hotline": "", "email": ""}},
        {"type": "gallery", "value": {"media": [3, 1]}},
        {"type": "banner", "value": {"title": "标题", "text": "", "media": None}},
    ]


def test_intro_may_only_reference_its_own_media(tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        version = listings.listing_create(
            membership=member("nat_provider"), data=data(taxonomy), media_uploads=[png(name="banner.png")]
        )
        media = version.media.get()
        assert media.kind == "image"
        blocks = [{"type": "banner", "value": {"title": "t", "text": "", "media": media.pk}}]
        listings.listing_update(
            membership=member("nat_provider"), listing_id=version.listing_id, data=data(taxonomy, intro=blocks)
        )
        with pytest.raises(DomainError) as error:
            listings.listing_update(
                membership=member("nat_provider"),
                listing_id=version.listing_id,
                data=data(taxonomy, intro=[{"type": "gallery", "value": {"media": [media.pk + 1000]}}]),
            )
        assert error.value.code == "market.intro_media"


def test_only_certified_providers_list(tenant_schema, taxonomy):
    with tenant_schema("national"):
        with pytest.raises(DomainError) as error:
            listings.listing_create(membership=member("nat_enterprise"), data=data(taxonomy))
        assert (error.value.code, error.value.status) == ("market.wrong_kind", 403)
        organisation = member("nat_provider").organisation
        before = Listing.objects.filter(organisation=organisation).count()  # the demo's solutions
        Organisation.objects.filter(pk=organisation.pk).update(certification=Organisation.Certification.PENDING)
        with pytest.raises(DomainError) as error:
            listings.listing_create(membership=member("nat_provider"), data=data(taxonomy))
        assert error.value.code == "market.not_certified"
        assert Listing.objects.filter(organisation=organisation).count() == before


# --- States through the review chain ---------------------------------------------------------------------------------
def test_full_chain_ops_expert_province_lists_the_product(tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        version = complete_draft(taxonomy)
        listings.listing_submit(membership=member("nat_provider"), listing_id=version.listing_id)
        assert listing_of(version).state == Listing.State.IN_REVIEW
        assert open_task(version).stage_name == "运营初审"
        with pytest.raises(DomainError):  # the expert cannot decide before being assigned
            decide(version, "zhang_expert")
        application = approve_all(version)
        assert application.state == "approved"
        listing = listing_of(version)
        assert listing.state == Listing.State.LISTED
        assert listing.live_version_id == version.pk and listing.listed_at is not None


def test_withdraw_return_resubmit_and_reject(tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        provider = member("nat_provider")
        version = complete_draft(taxonomy)
        with pytest.raises(DomainError) as error:  # nothing to withdraw yet
            listings.listing_withdraw(membership=provider, listing_id=version.listing_id)
        assert error.value.code == "market.not_pending"
        listings.listing_submit(membership=provider, listing_id=version.listing_id)
        with pytest.raises(DomainError) as error:  # in review: not editable, not submittable again
            listings.listing_update(membership=provider, listing_id=version.listing_id, data=data(taxonomy))
        assert error.value.code == "market.in_review"
        with pytest.raises(DomainError):
            listings.listing_submit(membership=provider, listing_id=version.listing_id)
        listings.listing_withdraw(membership=provider, listing_id=version.listing_id)
        assert listing_of(version).state == Listing.State.WITHDRAWN
        listings.listing_update(membership=provider, listing_id=version.listing_id, data=data(taxonomy, name="改名"))
        listings.listing_submit(membership=provider, listing_id=version.listing_id)
        decide(version, "nat_ops", "return", "请补充案例")
        assert listing_of(version).state == Listing.State.RETURNED
        with pytest.raises(DomainError):  # returned: not withdrawable
            listings.listing_withdraw(membership=provider, listing_id=version.listing_id)
        edited = listings.listing_update(membership=provider, listing_id=version.listing_id, data=data(taxonomy))
        assert edited.pk == version.pk  # the same version is edited after a return
        listings.listing_submit(membership=provider, listing_id=version.listing_id)
        decide(version, "nat_ops", "reject", "不符合要求")
        assert listing_of(version).state == Listing.State.REJECTED
        with pytest.raises(DomainError) as error:
            listings.listing_submit(membership=provider, listing_id=version.listing_id)
        assert error.value.code == "market.not_submittable"
        again = listings.listing_update(membership=provider, listing_id=version.listing_id, data=data(taxonomy))
        assert again.number == 2 and listing_of(version).state == Listing.State.DRAFT


def test_stale_edit_is_refused(tenant_schema, taxonomy):
    with tenant_schema("national"):
        provider = member("nat_provider")
        version = listings.listing_create(membership=provider, data=data(taxonomy))
        opened_at = version.application.version
        listings.listing_update(
            membership=provider, listing_id=version.listing_id, data=data(taxonomy), expected_version=opened_at
        )
        with pytest.raises(DomainError) as error:
            listings.listing_update(
                membership=provider, listing_id=version.listing_id, data=data(taxonomy), expected_version=opened_at
            )
        assert (error.value.code, error.value.status) == ("workflow.stale", 409)


def test_editing_a_listed_product_makes_a_new_version_and_keeps_the_old_one_on_sale(
    tenant_schema, taxonomy, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        provider = member("nat_provider")
        first = complete_draft(taxonomy)
        listings.listing_submit(membership=provider, listing_id=first.listing_id)
        approve_all(first)
        second = listings.listing_update(
            membership=provider, listing_id=first.listing_id, data=data(taxonomy, name="设备预测性维护平台 2.0")
        )
        assert second.number == 2 and second.pk != first.pk
        assert second.cases.count() == 3 and second.specs.count() == 2 and second.thumbnail
        first.refresh_from_db()
        assert first.name == "设备预测性维护平台"  # the reviewed version is never edited
        listings.listing_submit(membership=provider, listing_id=first.listing_id)
        listing = listing_of(first)
        assert (listing.state, listing.live_version_id) == (Listing.State.LISTED, first.pk)
        decide(second, "nat_ops", "return", "改一下")
        assert listing_of(first).state == Listing.State.LISTED  # the old version stays on sale
        listings.listing_submit(membership=provider, listing_id=first.listing_id)
        approve_all(second)
        listing = listing_of(first)
        assert (listing.state, listing.live_version_id) == (Listing.State.LISTED, second.pk)


def test_provider_delists_and_relists(tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        provider = member("nat_provider")
        version = complete_draft(taxonomy)
        with pytest.raises(DomainError) as error:
            listings.listing_delist(membership=provider, listing_id=version.listing_id)
        assert error.value.code == "market.not_listed"
        with pytest.raises(DomainError) as error:  # never approved: nothing to relist
            listings.listing_relist(membership=provider, listing_id=version.listing_id)
        assert error.value.code == "market.not_relistable"
        listings.listing_submit(membership=provider, listing_id=version.listing_id)
        approve_all(version)
        listings.listing_delist(membership=provider, listing_id=version.listing_id)
        assert listing_of(version).state == Listing.State.DELISTED
        listings.listing_relist(membership=provider, listing_id=version.listing_id)
        assert listing_of(version).state == Listing.State.LISTED


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """On-commit hooks fire and the Celery tasks they queue run at once, in-process (as tests/test_messages.py)."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_ops_delist_with_reason_notifies_the_provider(tenant_schema, taxonomy, settings, tmp_path, worker):
    from tenant_apps.notifications.models import Message

    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        provider = member("nat_provider")
        version = complete_draft(taxonomy)
        listings.listing_submit(membership=provider, listing_id=version.listing_id)
        approve_all(version)
        with pytest.raises(DomainError) as error:
            listings.listing_ops_delist(membership=provider, listing_id=version.listing_id, reason="x")
        assert (error.value.code, error.value.status) == ("market.not_ops", 403)
        with pytest.raises(DomainError) as error:
            listings.listing_ops_delist(membership=member("nat_ops"), listing_id=version.listing_id, reason=" ")
        assert error.value.field == "reason"
        with worker():
            listings.listing_ops_delist(membership=member("nat_ops"), listing_id=version.listing_id, reason="资质过期")
        listing = listing_of(version)
        assert (listing.state, listing.delisted_by_platform, listing.delist_reason) == ("delisted", True, "资质过期")
        message = Message.objects.filter(user=provider.user, title__contains="已被平台下架").get()
        assert "资质过期" in message.body
        assert message.link == reverse("market-listing-detail", args=[listing.pk], urlconf="config.urls_tenant")
        with pytest.raises(DomainError) as error:  # the platform's delisting is not undone by the provider
            listings.listing_relist(membership=provider, listing_id=version.listing_id)
        assert error.value.code == "market.delisted_by_platform"


def test_the_delisting_notice_is_an_outbox_event_of_its_transaction_delivered_once(
    tenant_schema, taxonomy, settings, tmp_path, worker, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from tenant_apps.notifications import outbox
    from tenant_apps.notifications.models import Message, OutboxEvent

    handler = "tenant_apps.marketplace.listings.notify_delisted"
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        provider, ops = member("nat_provider"), member("nat_ops")
        version = complete_draft(taxonomy)
        listings.listing_submit(membership=provider, listing_id=version.listing_id)
        approve_all(version)
        told = Message.objects.filter(source_key__startswith=f"market-delist:{version.listing_id}:")
        with django_capture_on_commit_callbacks() as hooks:
            with pytest.raises(RuntimeError), transaction.atomic():
                listings.listing_ops_delist(membership=ops, listing_id=version.listing_id, reason="资质过期")
                raise RuntimeError("the request failed after the delisting")
        assert hooks == [] and listing_of(version).state == Listing.State.LISTED
        assert not OutboxEvent.objects.filter(handler=handler).exists()  # rolled back with the delisting

        with worker():
            listings.listing_ops_delist(membership=ops, listing_id=version.listing_id, reason="资质过期")
            event = OutboxEvent.objects.get(handler=handler)  # written by the delisting's transaction
            assert event.delivered_at is None and not told.exists()  # nobody is told before it commits
        event.refresh_from_db()
        assert event.delivered_at is not None and event.attempts == 1
        assert event.args == [version.listing_id, int(listing_of(version).delisted_at.timestamp()), "资质过期"]
        people = Membership.objects.filter(organisation_id=provider.organisation_id, is_active=True).count()
        assert told.count() == people >= 1
        assert outbox.outbox_deliver(event.pk) is False  # a redelivery of the event
        assert listings.notify_delisted(*event.args) == 0  # the handler run twice: nobody told again
        assert told.count() == people


# --- Pages ------------------------------------------------------------------------------------------------------------
def test_provider_pages_form_save_preview_and_submit(login_client, tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login_client("national", "nat_provider")
    assert client.get(reverse("market-listing-new", urlconf="config.urls_tenant")).status_code == 200
    post = {
        "do": "save",
        "listing-name": "表单发布的方案",
        "listing-related_product": "产品",
        "listing-catalogue": taxonomy["catalogue"].pk,
        "listing-categories": [c.pk for c in taxonomy["categories"][:6]],  # six: refused, nothing lost
        "listing-price_min": "1.00",
        "listing-price_max": "2.00",
        "listing-contact_name": "李",
        "listing-intro": json.dumps([{"type": "description", "value": {"text": "说明"}}]),
        "spec-TOTAL_FORMS": "2",
        "spec-INITIAL_FORMS": "0",
        "spec-0-name": "基础版",
        "spec-0-purchase_mode": "month",
        "spec-0-pricing": "simple",
        "spec-0-unit_price": "99.00",
        "case1-customer": "客户甲",
        "case1-customer_output": "100.50",
        "case1-contract_amount": "10.00",
        "case1-delivery_months": "3",
    }
    url = reverse("market-listing-new", urlconf="config.urls_tenant")
    response = client.post(url, post)
    assert response.status_code == 400
    assert "最多选择 5 个" in response.content.decode() and "表单发布的方案" in response.content.decode()
    post["listing-categories"] = [taxonomy["categories"][0].pk]
    response = client.post(url, post)
    assert response.status_code == 302
    with tenant_schema("national"):
        version = ListingVersion.objects.get(name="表单发布的方案")
        assert version.cases.get().customer_output == Decimal("100.50") and version.specs.get().unit_price == 99
        pk, app_version = version.listing_id, version.application.version
    detail = client.get(reverse("market-listing-detail", args=[pk], urlconf="config.urls_tenant"))
    assert detail.status_code == 200 and "表单发布的方案" in detail.content.decode()
    assert 'id="submission-problems"' in detail.content.decode()  # no thumbnail, one case: not yet submittable
    edit = reverse("market-listing-edit", args=[pk], urlconf="config.urls_tenant")
    assert client.get(edit).status_code == 200
    stale = client.post(edit, {**post, "listing-version": str(app_version + 1)})
    assert stale.status_code == 400 and "刷新页面" in stale.content.decode()
    listing_page = client.get(reverse("market-listings", urlconf="config.urls_tenant"))
    assert listing_page.status_code == 200 and "表单发布的方案" in listing_page.content.decode()


def test_my_listings_query_count_is_bounded(login_client, tenant_schema, taxonomy):
    client = login_client("national", "nat_provider")
    url = reverse("market-listings", urlconf="config.urls_tenant")
    with tenant_schema("national"):
        listings.listing_create(membership=member("nat_provider"), data=data(taxonomy))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with tenant_schema("national"):
        for n in range(8):
            listings.listing_create(membership=member("nat_provider"), data=data(taxonomy, name=f"商品{n}"))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_ops_delists_from_the_workbench(login_client, tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        version = complete_draft(taxonomy)
        listings.listing_submit(membership=member("nat_provider"), listing_id=version.listing_id)
        approve_all(version)
    ops = login_client("national", "nat_ops")
    page = ops.get(reverse("market-ops-listings", urlconf="config.urls_tenant"))
    assert page.status_code == 200 and "设备预测性维护平台" in page.content.decode()
    url = reverse("market-ops-delist", args=[version.listing_id], urlconf="config.urls_tenant")
    assert ops.post(url, {"reason": ""}).status_code == 400
    assert ops.post(url, {"reason": "虚假宣传"}).status_code == 302
    provider = login_client("national", "nat_provider")
    assert provider.get(url).status_code == 403  # not ops
    with tenant_schema("national"):
        assert Listing.objects.get(pk=version.listing_id).delist_reason == "虚假宣传"


def test_reviewers_see_the_listing_as_it_will_appear(login_client, tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        version = complete_draft(taxonomy)
        listings.listing_submit(membership=member("nat_provider"), listing_id=version.listing_id)
        application_id = version.application_id
    page = login_client("national", "nat_ops").get(
        reverse("application-detail", args=[application_id], urlconf="config.urls_tenant")
    )
    html = page.content.decode()
    assert page.status_code == 200 and "提前 7 天预警" in html and "客户1" in html


# --- API and isolation -----------------------------------------------------------------------------------------------
def api(path="", pk=None, action=None):
    if action:
        return f"/api/v1/market/listings/{pk}/{action}/"
    return f"/api/v1/market/listings/{pk}/" if pk else "/api/v1/market/listings/"


def test_api_create_update_submit_withdraw(login_client, tenant_schema, taxonomy):
    client = login_client("national", "nat_provider")
    body = data(taxonomy)
    body["cases"] = [{k: v for k, v in case(n).items() if k != "document"} for n in (1, 2, 3, 4)]
    response = client.post(api(), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "market.case_count"
    body["cases"] = body["cases"][:3]
    body["specs"] = [spec(pricing="free", unit_price="5")]
    response = client.post(api(), body, content_type="application/json")
    assert response.json()["errors"] == {"specs.1.unit_price": ["免费规格的定价须为 0。"]}
    body["specs"] = [spec()]
    created = client.post(api(), body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    editable = created.json()["editable"]
    assert editable["number"] == 1 and len(editable["cases"]) == 3
    listed = client.get(api()).json()
    assert pk in [row["id"] for row in listed["results"]] if isinstance(listed, dict) else listed
    put = client.put(
        api(pk=pk), {**body, "name": "改名", "version": editable["version"]}, content_type="application/json"
    )
    assert put.status_code == 200 and put.json()["editable"]["name"] == "改名"
    stale = client.put(api(pk=pk), {**body, "version": editable["version"]}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "workflow.stale"
    submit = client.post(api(pk=pk, action="submit"), {}, content_type="application/json")
    assert submit.status_code == 400  # no thumbnail, no case documents
    with tenant_schema("national"):
        version = ListingVersion.objects.get(listing_id=pk)
        version.thumbnail = "marketplace/thumbnails/x.png"
        version.save()
        for item in version.cases.all():
            item.document = "marketplace/cases/x.pdf"
            item.save()
    submit = client.post(api(pk=pk, action="submit"), {}, content_type="application/json")
    assert submit.status_code == 200 and submit.json()["state"] == "in_review"
    withdraw = client.post(api(pk=pk, action="withdraw"), {}, content_type="application/json")
    assert withdraw.status_code == 200 and withdraw.json()["state"] == "withdrawn"
    assert client.post(api(pk=pk, action="relist"), {}, content_type="application/json").status_code == 409
    assert client.post(api(pk=pk, action="explode"), {}, content_type="application/json").status_code == 404


@pytest.fixture
def other_provider(tenant_schema):
    from tenant_apps.organisations.services import membership_grant

    with tenant_schema("national"):
        organisation = Organisation.objects.create(
            kind="provider", name="另一家服务商", uscc="91110000MA00OTHER1", certification="certified"
        )
        user = User.objects.create_user("other_provider", mobile="13800007777")
        membership_grant(user=user, roles=["provider"], organisation=organisation)
    return "other_provider"


def test_isolation_other_organisation_other_tenant_anonymous(
    login_client, tenant_client, tenant_schema, taxonomy, other_provider
):
    with tenant_schema("national"):
        version = listings.listing_create(membership=member("nat_provider"), data=data(taxonomy))
        pk = version.listing_id
    pages = [
        reverse(name, args=args, urlconf="config.urls_tenant")
        for name, args in (
            ("market-listing-detail", [pk]),
            ("market-listing-edit", [pk]),
        )
    ]
    other = login_client("national", other_provider)
    for url in pages:
        assert other.get(url).status_code == 404
    assert (
        other.post(reverse("market-listing-action", args=[pk, "submit"], urlconf="config.urls_tenant")).status_code
        == 404
    )
    assert other.get(api(pk=pk)).status_code == 404
    assert other.put(api(pk=pk), {"name": "x"}, content_type="application/json").status_code == 404
    assert other.post(api(pk=pk, action="withdraw"), {}, content_type="application/json").status_code == 404
    assert pk not in [row["id"] for row in _rows(other.get(api()).json())]
    foreign = login_client("national", "jm_provider") if User.objects.filter(username="jm_provider").exists() else None
    if foreign is not None:
        assert foreign.get(api(pk=pk)).status_code in (403, 404)
        assert foreign.get(pages[0]).status_code in (403, 404)
    jm = login_client("jiangmen", "jm_provider")
    assert jm.get(f"/api/v1/market/listings/{pk}/").status_code in (403, 404)
    anonymous = tenant_client("national")
    assert anonymous.get(api()).status_code in (401, 403)
    assert anonymous.get(api(pk=pk)).status_code in (401, 403)
    assert anonymous.get(pages[0]).status_code == 302
    enterprise = login_client("national", "nat_enterprise")
    assert enterprise.get(api()).status_code == 403
    assert enterprise.get(reverse("market-listings", urlconf="config.urls_tenant")).status_code == 403
    assert enterprise.get(reverse("market-ops-listings", urlconf="config.urls_tenant")).status_code == 403


def _rows(payload):
    return payload["results"] if isinstance(payload, dict) else payload


def test_unpublished_images_reach_the_provider_and_the_reviewers_only(
    login_client, tenant_client, tenant_schema, taxonomy, settings, tmp_path, other_provider
):
    """A version in review is not on sale: its thumbnail is served to its provider and to the reviewer holding it,
    never publicly, never to another provider."""
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        version = complete_draft(taxonomy)
        listings.listing_submit(membership=member("nat_provider"), listing_id=version.listing_id)
    url = reverse("market-version-thumbnail", args=[version.pk], urlconf="config.urls_tenant")
    own = login_client("national", "nat_provider").get(url)
    assert own.status_code == 200 and own["Cache-Control"] == "private, no-store"
    assert b"".join(own.streaming_content).startswith(b"\x89PNG")
    assert login_client("national", "nat_ops").get(url).status_code == 200  # the first review stage holds it
    assert login_client("national", other_provider).get(url).status_code == 404
    assert login_client("national", "nat_enterprise").get(url).status_code == 404
    assert tenant_client("national").get(url).status_code == 302  # to sign in
    public = reverse("market-thumbnail", args=[version.listing_id], urlconf="config.urls_tenant")
    assert tenant_client("national").get(public).status_code == 404  # not listed yet


# --- Draft auto-save of the edit page (market-listing-autosave) --------------------------------------------------------
def _autosave_url(pk):
    return reverse("market-listing-autosave", args=[pk], urlconf="config.urls_tenant")


def _edit_post(taxonomy, app_version, **extra):
    """What the edit page's form sends (the auto-save script posts the same fields, without files)."""
    post = {
        "listing-version": str(app_version),
        "listing-name": "自动保存的方案名",
        "listing-related_product": "智维云",
        "listing-catalogue": taxonomy["catalogue"].pk,
        "listing-categories": [taxonomy["categories"][0].pk],
        "listing-price_min": "10.00",
        "listing-price_max": "20.00",
        "listing-contact_name": "王经理",
        "listing-intro": json.dumps([{"type": "description", "value": {"text": "说明"}}]),
        "spec-TOTAL_FORMS": "2",
        "spec-INITIAL_FORMS": "0",
        "case1-customer": "客户甲",
        "case1-customer_output": "100.50",
        "case1-contract_amount": "10.00",
        "case1-delivery_months": "3",
    }
    post.update(extra)
    return post


def test_autosave_saves_the_draft_and_the_page_follows_the_version(
    login_client, tenant_schema, taxonomy, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        version = listings.listing_create(membership=member("nat_provider"), data=data(taxonomy))
        pk, before = version.listing_id, version.application.version
    client = login_client("national", "nat_provider")
    edit = reverse("market-listing-edit", args=[pk], urlconf="config.urls_tenant")
    page = client.get(edit).content.decode()
    assert f'data-autosave-url="{_autosave_url(pk)}"' in page and 'id="draft-status"' in page
    assert "js/market-listing-autosave.js" in page and 'aria-live="polite"' in page
    # A file sent along is not auto-saved (files go with 保存草稿 only).
    saved = client.post(_autosave_url(pk), {**_edit_post(taxonomy, before), "listing-thumbnail": png()})
    assert saved.status_code == 200, saved.content
    answer = saved.json()
    assert answer["version"] == before + 1 and answer["message"].startswith("已自动保存 ")
    with tenant_schema("national"):
        version = ListingVersion.objects.get(listing_id=pk)
        assert version.name == "自动保存的方案名" and version.cases.get().customer == "客户甲"
        assert not version.thumbnail and version.application.version == before + 1
    # The page's old version is stale now: refused (409), nothing written.
    stale = client.post(_autosave_url(pk), _edit_post(taxonomy, before, **{"listing-name": "过期的名字"}))
    assert stale.status_code == 409 and stale.json()["code"] == "workflow.stale"
    assert stale.json()["message"].startswith("自动保存失败：")
    # A value the form refuses: the reason, with its field's label.
    bad = client.post(_autosave_url(pk), _edit_post(taxonomy, before + 1, **{"listing-price_min": "abc"}))
    assert bad.status_code == 400 and "销售历史最低价格" in bad.json()["message"]
    # The service's own rule (min ≤ max) refuses too, with its field.
    refused = client.post(
        _autosave_url(pk), _edit_post(taxonomy, before + 1, **{"listing-price_min": "30.00", "listing-price_max": "2"})
    )
    assert refused.status_code == 400 and refused.json()["field"] == "price_min"
    # With the version the auto-save returned, the final 保存草稿 is not stale.
    final = client.post(edit, {**_edit_post(taxonomy, answer["version"]), "do": "save", "listing-name": "终稿"})
    assert final.status_code == 302
    with tenant_schema("national"):
        assert ListingVersion.objects.get(listing_id=pk).name == "终稿"
    assert client.get(_autosave_url(pk)).status_code == 405


def test_autosave_is_only_for_a_draft_edited_in_place(login_client, tenant_schema, taxonomy, settings, tmp_path):
    """A new listing has no draft to save into; a version in review is not editable: no auto-save, 409."""
    settings.MEDIA_ROOT = tmp_path
    client = login_client("national", "nat_provider")
    new = client.get(reverse("market-listing-new", urlconf="config.urls_tenant")).content.decode()
    assert "data-autosave-url" not in new and "market-listing-autosave.js" not in new
    with tenant_schema("national"):
        version = complete_draft(taxonomy)
        listings.listing_submit(membership=member("nat_provider"), listing_id=version.listing_id)
        app_version = Listing.objects.get(pk=version.listing_id).versions.get().application.version
    response = client.post(_autosave_url(version.listing_id), _edit_post(taxonomy, app_version))
    assert response.status_code == 409 and response.json()["code"] == "market.autosave_not_editable"
    with tenant_schema("national"):
        assert ListingVersion.objects.get(listing_id=version.listing_id).name == "设备预测性维护平台"


def test_autosave_isolation_other_organisation_other_tenant_anonymous(
    login_client, tenant_client, tenant_schema, taxonomy, other_provider
):
    with tenant_schema("national"):
        version = listings.listing_create(membership=member("nat_provider"), data=data(taxonomy))
        pk, app_version = version.listing_id, version.application.version
    url = _autosave_url(pk)
    body = _edit_post(taxonomy, app_version, **{"listing-name": "被他人改名"})
    assert login_client("national", other_provider).post(url, body).status_code == 404
    assert login_client("national", "nat_enterprise").post(url, body).status_code == 403
    anonymous = tenant_client("national").post(url, body)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert login_client("jiangmen", "jm_provider").post(url, body).status_code in (403, 404)  # module off there
    with tenant_schema("national"):
        assert ListingVersion.objects.get(listing_id=pk).name == "设备预测性维护平台"


# --- API uploads: case documents and intro media ---------------------------------------------------------------------
def _multipart(client, method, url, body):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return getattr(client, method)(url, encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT)


def test_api_uploads_case_documents_and_intro_media(login_client, tenant_schema, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        rows = [{k: v for k, v in case(n).items() if k != "document"} for n in (1, 2, 3)]
        version = listings.listing_create(membership=member("nat_provider"), data=data(taxonomy), cases=rows)
        pk, app_version = version.listing_id, version.application.version
    client = login_client("national", "nat_provider")
    # PATCH: only the files; everything else stays.
    response = _multipart(
        client,
        "patch",
        api(pk=pk),
        {"version": app_version, "case_2_document": pdf("案例二.pdf"), "media": png(name="截图.png")},
    )
    assert response.status_code == 200, response.content
    editable = response.json()["editable"]
    assert [row["document_name"] for row in editable["cases"]] == ["", "案例二.pdf", ""]
    assert editable["name"] == "设备预测性维护平台" and [row["customer"] for row in editable["cases"]] == [
        "客户1",
        "客户2",
        "客户3",
    ]
    with tenant_schema("national"):
        version = ListingVersion.objects.get(listing_id=pk)
        assert version.cases.get(position=2).document.read().startswith(b"%PDF")
        assert [item.original_name for item in version.media.all()] == ["截图.png"]
        assert version.contact_phone == "13800001234"  # kept by the PATCH
    # PUT (the whole form) takes a document as multipart too.
    body = {**data(taxonomy, name="整体保存"), "version": editable["version"], "case_1_document": pdf("案例一.pdf")}
    body["intro"] = json.dumps(body["intro"], ensure_ascii=False)
    response = _multipart(client, "put", api(pk=pk), body)
    assert response.status_code == 200, response.content
    assert response.json()["editable"]["name"] == "整体保存"
    assert [row["document_name"] for row in response.json()["editable"]["cases"]] == ["案例一.pdf", "案例二.pdf", ""]
    current = response.json()["editable"]["version"]
    # Spoofed by extension: the structured 400 on the input that carried it, nothing written.
    fake = SimpleUploadedFile("方案.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    refused = _multipart(client, "patch", api(pk=pk), {"version": current, "case_3_document": fake})
    assert refused.status_code == 400
    assert refused.json()["code"] == "upload.wrong_type" and list(refused.json()["errors"]) == ["case_3_document"]
    exe = SimpleUploadedFile("视频.mp4", b"MZ\x90\x00 this is an exe" * 20, content_type="video/mp4")
    refused = _multipart(client, "patch", api(pk=pk), {"version": current, "media": exe})
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["media"]
    with tenant_schema("national"):
        version = ListingVersion.objects.get(listing_id=pk)
        assert not version.cases.get(position=3).document and version.media.count() == 1
        assert version.application.version == current


def test_api_uploads_refused_for_another_organisation(
    login_client, tenant_client, tenant_schema, taxonomy, settings, tmp_path, other_provider
):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("national"):
        rows = [{k: v for k, v in case(n).items() if k != "document"} for n in (1, 2, 3)]
        version = listings.listing_create(membership=member("nat_provider"), data=data(taxonomy), cases=rows)
        pk = version.listing_id
    other = login_client("national", other_provider)
    for method in ("patch", "put"):
        response = _multipart(other, method, api(pk=pk), {"case_1_document": pdf(), "media": png()})
        assert response.status_code == 404
    anonymous = _multipart(tenant_client("national"), "patch", api(pk=pk), {"case_1_document": pdf()})
    assert anonymous.status_code in (401, 403)
    with tenant_schema("national"):
        version = ListingVersion.objects.get(listing_id=pk)
        assert not version.cases.get(position=1).document and not version.media.exists()


def test_api_schema_lists_the_uploads(login_client):
    schema = login_client("national", "nat_provider").get("/api/schema/?format=json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for name in ("case_1_document", "case_3_document", '"media"'):
        assert name in text
    assert '"patch"' in text
