"""生态申报 — the rules of seed 004 through the services and the engine (issue #15): who may declare, the three
steps, the first declaration's products, the unit's confirmation joining the alliance, repeat declarations
bringing every approved product into the new pool, the product chain (unit → pre-review → re-review), the
duplicate-name rule (also under concurrency), bound units only, leaving an alliance, and 信息变更."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction

from tenant_apps.ecosystem import alliances, changes, declarations, products
from tenant_apps.ecosystem.models import (
    AllianceMember,
    Declaration,
    DeclarationFile,
    PoolEntry,
    Product,
    ProviderChange,
    Status,
)
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow import policies
from tenant_apps.workflow.models import Application, Task
from tenants.errors import DomainError
from tests import ecosystem_factories as f
from tests.threads import in_thread

pytestmark = pytest.mark.django_db
JIANGMEN = "jiangmen"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def jm(tenant_schema):
    with tenant_schema(JIANGMEN):
        yield


def refused(code: str, fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    return caught.value


# --- Who may declare -------------------------------------------------------------------------------------------------
def test_only_a_certified_provider_declares(jm):
    member = f.provider(1)
    Organisation.objects.filter(pk=member.organisation_id).update(certification="pending")
    member.refresh_from_db()
    error = refused("ecosystem.not_certified", declarations.declaration_start, membership=member)
    assert error.status == 403
    enterprise = Membership.objects.select_related("organisation").get(user__username="jm_enterprise")
    refused("ecosystem.wrong_kind", declarations.declaration_start, membership=enterprise)


# --- The first declaration -------------------------------------------------------------------------------------------
def test_saving_step_by_step_keeps_a_draft_and_new_continues_it(jm):
    member = f.provider(1)
    f.anchor("jm-hardware")
    declaration = declarations.declaration_start(membership=member)
    assert declaration.is_first and declaration.status == Status.DRAFT
    declarations.declaration_save(
        membership=member, declaration=declaration, step=1, data={"nature": "private", "anchor_unit": "jm-hardware"}
    )
    again = declarations.declaration_start(membership=member)  # 新增 while one is unfinished: continue it
    assert again.pk == declaration.pk
    again.refresh_from_db()
    assert (again.nature, again.anchor_unit.code, again.step) == ("private", "jm-hardware", 2)


def test_step_limits_of_the_seed(jm):
    member = f.provider(1)
    declaration = declarations.declaration_start(membership=member)
    save = declarations.declaration_save
    save(membership=member, declaration=declaration, step=2, data={"profile": "简" * 500, "guarantee": "保" * 500})
    error = refused(
        "declaration.too_long", save, membership=member, declaration=declaration, step=2, data={"profile": "简" * 501}
    )
    assert error.field == "profile"
    refused(
        "declaration.product_count",
        save,
        membership=member,
        declaration=declaration,
        step=2,
        data={"product_count": "三"},
    )
    refused("declaration.nature", save, membership=member, declaration=declaration, step=1, data={"nature": "公立"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("licence.pdf", b"<html><script>x</script></html>", content_type="application/pdf")
    error = refused(
        "upload.wrong_type", save, membership=member, declaration=declaration, step=1, data={}, files={"licence": fake}
    )
    assert error.field == "files.licence"


def test_a_unit_without_its_organisation_cannot_be_chosen(jm):
    member = f.provider(1)
    declaration = declarations.declaration_start(membership=member)
    from tenant_apps.configuration.models import AnchorUnit

    unit = AnchorUnit.objects.get(code="jm-electromech")
    assert unit.organisation_id is None
    error = refused(
        "declaration.anchor_unit",
        declarations.declaration_save,
        membership=member,
        declaration=declaration,
        step=1,
        data={"anchor_unit": unit.code},
    )
    assert error.field == "anchor_unit"


def test_submission_names_every_missing_item_and_needs_a_product(jm):
    member = f.provider(1)
    declaration = declarations.declaration_start(membership=member)
    fields = [field for field, _message in declarations.problems(declaration)]
    assert fields == [
        "nature",
        "anchor_unit",
        "files.licence",
        "files.cooperation",
        "product_count",
        "profile",
        "products",
    ]
    error = refused(
        "declaration.incomplete", declarations.declaration_submit, membership=member, declaration=declaration
    )
    assert error.field == "nature"
    complete = f.first_declaration(f.provider(2), product_names=())
    assert [field for field, _m in declarations.problems(complete)] == ["products"]
    assert "至少填写一款产品" in dict(declarations.problems(complete))["products"]


def test_a_first_declarations_products_are_checked_with_it(jm):
    member = f.provider(1)
    declaration = f.first_declaration(member)
    product = declaration.products.get()
    product.cases.all()[0].delete()  # two cases left
    missing = dict(declarations.problems(declaration))
    assert missing == {"products.0.cases": "产品1：请提供不少于 3 个成功应用案例。"}


def test_the_unit_confirms_and_the_provider_joins_then_its_products_enter_their_chain(jm):
    member = f.provider(1)
    declaration = f.first_declaration(member, product_names=("轻量化MES", "设备联网网关"))
    declarations.declaration_submit(membership=member, declaration=declaration)
    declaration.refresh_from_db()
    assert declaration.status == Status.IN_REVIEW
    assert set(declaration.products.values_list("status", flat=True)) == {Status.PENDING}
    # Only the unit named in the declaration confirms it.
    task = Task.objects.get(application=declaration.application, state="open")
    other_unit = f.anchor("jm-food")
    assert not policies.tasks_awaiting(other_unit).filter(pk=task.pk).exists()
    assert policies.tasks_awaiting(f.anchor("jm-hardware")).filter(pk=task.pk).exists()
    with pytest.raises(DomainError):
        f.decide(other_unit, declaration.application)
    f.decide(f.anchor("jm-hardware"), declaration.application)
    declaration.refresh_from_db()
    assert declaration.status == Status.APPROVED
    member_row = AllianceMember.objects.get(organisation=member.organisation, left_at__isnull=True)
    assert member_row.anchor_unit.code == "jm-hardware"
    # The products now wait at the same unit, first stage of the product chain.
    for product in declaration.products.all():
        assert product.status == Status.IN_REVIEW and product.anchor_unit.code == "jm-hardware"
        assert Task.objects.get(application=product.application, state="open").stage_name == "牵引单位审核"
    # Joining pools only approved products: these are still in review, so none of the provider's is pooled yet.
    assert declaration.products.count() == 2
    assert not PoolEntry.objects.filter(product__organisation=member.organisation).exists()


def test_a_returned_declaration_releases_its_products_and_resubmits(jm):
    member = f.provider(1)
    declaration = f.first_declaration(member)
    declarations.declaration_submit(membership=member, declaration=declaration)
    f.decide(f.anchor("jm-hardware"), declaration.application, "return", "请补充合作证明的盖章页。")
    declaration.refresh_from_db()
    assert declaration.status == Status.RETURNED
    product = declaration.products.get()
    assert product.status == Status.DRAFT  # editable with the declaration again
    products.product_save(membership=member, product=product, data={"description": "补充后的描述"})
    declarations.declaration_submit(membership=member, declaration=declaration)
    declaration.refresh_from_db()
    assert declaration.status == Status.IN_REVIEW
    assert declaration.products.get().status == Status.PENDING


def test_a_rejected_first_declaration_rejects_its_products(jm):
    member = f.provider(1)
    declaration = f.first_declaration(member)
    declarations.declaration_submit(membership=member, declaration=declaration)
    f.decide(f.anchor("jm-hardware"), declaration.application, "reject", "非本产业链服务商。")
    assert declaration.products.get().status == Status.REJECTED
    # The name is free again and a new first declaration may be started.
    again = declarations.declaration_start(membership=member)
    assert again.pk != declaration.pk and again.is_first


def test_products_are_not_declared_alone_before_the_first_approval(jm):
    member = f.provider(1)
    error = refused("product.not_joined", products.product_start, membership=member, name="独立产品")
    assert error.status == 403


# --- Repeat declarations ---------------------------------------------------------------------------------------------
def test_a_repeat_declaration_is_prefilled_and_offers_only_units_not_joined(jm):
    member = f.provider(1)
    first = f.joined(member)
    f.anchor("jm-food")
    repeat = declarations.declaration_start(membership=member)
    assert not repeat.is_first
    assert (repeat.nature, repeat.product_count, repeat.profile) == (first.nature, 3, first.profile)
    kinds = set(repeat.files.values_list("kind", flat=True))
    assert kinds == {DeclarationFile.Kind.LICENCE, DeclarationFile.Kind.TEAM_LIST}  # not the cooperation proof
    assert repeat.anchor_unit is None
    assert [u.code for u in declarations.declarable_units(member.organisation)] == ["jm-food"]
    refused(
        "declaration.anchor_unit",
        declarations.declaration_save,
        membership=member,
        declaration=repeat,
        step=1,
        data={"anchor_unit": "jm-hardware"},
    )
    assert [field for field, _m in declarations.problems(repeat)] == ["anchor_unit", "files.cooperation"]


def test_a_repeat_approval_brings_every_approved_product_into_the_new_pool(jm):
    member = f.provider(1)
    first = f.joined(member, product_names=("轻量化MES", "设备联网网关"))
    mes, gateway = first.products.order_by("name")
    f.approve_product(mes)
    f.approve_product(gateway)
    in_review = products.product_start(membership=member, name="质量追溯系统")
    f.fill_product(member, in_review, unit="jm-hardware")
    products.product_submit(membership=member, product=in_review)
    f.anchor("jm-food")
    repeat = declarations.declaration_start(membership=member)
    declarations.declaration_save(
        membership=member,
        declaration=repeat,
        step=1,
        data={"anchor_unit": "jm-food"},
        files={"cooperation": f.pdf("coop-food.pdf")},
    )
    declarations.declaration_submit(membership=member, declaration=repeat)
    f.decide(f.anchor("jm-food"), repeat.application)
    food_pool = set(alliances.pool_of(repeat.anchor_unit).values_list("product__name", flat=True))
    assert food_pool == {"轻量化MES", "设备联网网关"}  # approved ones only
    assert [u.code for u in declarations.bound_units(member.organisation)] == ["jm-food", "jm-hardware"]
    # A product approved later enters every bound unit's pool.
    f.approve_product(in_review)
    assert set(PoolEntry.objects.filter(product=in_review).values_list("anchor_unit__code", flat=True)) == {
        "jm-food",
        "jm-hardware",
    }
    # Nothing left to join → 新增 says so.
    f.anchor("jm-electromech")
    third = declarations.declaration_start(membership=member)
    assert [u.code for u in declarations.declarable_units(member.organisation, declaration=third)] == ["jm-electromech"]


# --- Products --------------------------------------------------------------------------------------------------------
@pytest.fixture
def member_joined(jm):
    member = f.provider(1)
    f.joined(member)
    return member


def test_product_rules_of_the_seed(member_joined):
    member = member_joined
    product = products.product_start(membership=member, name="独立产品")
    save = products.product_save
    error = refused(
        "product.price_range",
        save,
        membership=member,
        product=product,
        data={"price_min": "80000", "price_max": "20000"},
    )
    assert error.field == "price_max"
    save(membership=member, product=product, data={"price_min": "20000", "price_max": "20000"})  # equal: fine
    save(membership=member, product=product, data={"discount_percent": "100"})
    save(membership=member, product=product, data={"discount_percent": "0"})
    error = refused("product.discount", save, membership=member, product=product, data={"discount_percent": "100.01"})
    assert error.field == "discount_percent"
    refused("product.discount", save, membership=member, product=product, data={"discount_percent": "-1"})
    save(membership=member, product=product, data={"other_notes": "注" * 1000})
    error = refused("product.too_long", save, membership=member, product=product, data={"other_notes": "注" * 1001})
    assert error.field == "other_notes"
    refused("product.too_long", save, membership=member, product=product, data={"name": "名" * 51})
    refused("product.architecture", save, membership=member, product=product, data={"architecture": "mainframe"})
    refused("product.categories", save, membership=member, product=product, data={"categories": ["rd_design", "x"]})
    refused("product.industries", save, membership=member, product=product, data={"industries": ["no-such"]})


def test_what_submission_needs_of_a_product(member_joined):
    member = member_joined
    product = products.product_start(membership=member, name="独立产品")
    f.fill_product(member, product, unit="jm-hardware", cases=2)
    products.product_save(
        membership=member,
        product=product,
        data={"nature": "own", "categories": ["other"], "category_other": "", "award": "provincial"},
    )
    missing = [field for field, _m in products.problems(product)]
    assert missing == ["files.ip_proof", "category_other", "cases", "files.award_proof"]
    products.product_save(
        membership=member,
        product=product,
        data={"category_other": "设备运维"},
        files={"ip_proof": [f.pdf("soft-copyright.pdf")], "award_proof": [f.pdf("award.pdf")]},
        cases=[
            *[{"keep": str(c.pk), "customer": c.customer, "summary": c.summary} for c in product.cases.all()],
            {"customer": "第三家客户", "contract": f.pdf("c3.pdf")},
        ],
    )
    assert products.problems(product) == []
    assert product.cases.count() == 3 and all(c.contract for c in product.cases.all())


def test_the_reviewing_unit_is_one_the_provider_is_bound_to(member_joined):
    member = member_joined
    f.anchor("jm-food")
    product = products.product_start(membership=member, name="独立产品")
    error = refused(
        "product.anchor_unit",
        products.product_save,
        membership=member,
        product=product,
        data={"anchor_unit": "jm-food"},
    )
    assert error.field == "anchor_unit"


def test_the_product_chain_unit_then_pre_review_then_bureau(member_joined):
    member = member_joined
    product = products.product_start(membership=member, name="独立产品")
    f.fill_product(member, product, unit="jm-hardware")
    products.product_submit(membership=member, product=product)
    stages = []
    for reviewer in (f.anchor("jm-hardware"), f.city("jm_ops"), f.city("jm_bureau")):
        task = Task.objects.get(application=product.application, state="open")
        stages.append(task.stage_name)
        assert policies.tasks_awaiting(reviewer).filter(pk=task.pk).exists()
        if reviewer.user.username == "jm_bureau":
            f.decide(reviewer, product.application, "return", "请补充报价依据。")
        else:
            f.decide(reviewer, product.application)
    assert stages == ["牵引单位审核", "预审", "市工信局复审"]
    product.refresh_from_db()
    assert product.status == Status.RETURNED and not product.pool_entries.exists()
    products.product_save(membership=member, product=product, data={"other_notes": "报价依据见附件。"})
    products.product_submit(membership=member, product=product)
    f.approve_product(product)
    assert product.status == Status.APPROVED and product.approved_at is not None
    assert list(product.pool_entries.values_list("anchor_unit__code", flat=True)) == ["jm-hardware"]


def test_duplicate_names_are_refused_while_one_is_live(member_joined):
    member = member_joined
    first = products.product_start(membership=member, name="智能 MES")
    f.fill_product(member, first, unit="jm-hardware")
    products.product_submit(membership=member, product=first)
    second = products.product_start(membership=member, name="智能ＭＥＳ")  # full-width, no space: the same name
    f.fill_product(member, second, unit="jm-hardware")
    assert products.name_taken(second)
    error = refused("product.duplicate_name", products.product_submit, membership=member, product=second)
    assert (error.status, error.field, error.message) == (409, "name", "该产品已在审核中或已申报，请勿重复申报。")
    # Another provider may use the name; reviewers see it flagged as a near-duplicate.
    other = f.provider(2)
    f.joined(other, product_names=("智能MES系统",))
    theirs = Product.objects.get(organisation=other.organisation)
    assert [p.pk for p in products.near_duplicates(theirs)] == [first.pk]
    # Once the first is rejected, the name is free again.
    f.decide(f.anchor("jm-hardware"), first.application, "reject", "重复申报。")
    products.product_submit(membership=member, product=second)
    second.refresh_from_db()
    assert second.status == Status.IN_REVIEW


def test_a_first_declaration_product_duplicating_a_live_one_is_refused_on_its_field(jm):
    member = f.provider(1)
    declaration = f.first_declaration(member, product_names=("轻量化MES", "轻量化 mes"))
    error = refused(
        "product.duplicate_name", declarations.declaration_submit, membership=member, declaration=declaration
    )
    assert error.field == "products.1.name"
    declaration.refresh_from_db()
    assert declaration.status == Status.DRAFT  # nothing half-submitted
    assert set(declaration.products.values_list("status", flat=True)) == {Status.DRAFT}


def test_two_simultaneous_submissions_of_one_name_one_wins(tenant_schema, settings):
    """Two requests at the same moment, each on its own connection: the partial unique index lets one through."""
    tag = uuid.uuid4().hex[:6]
    created_anchor = []

    def prepare():
        from tenant_apps.configuration.models import AnchorUnit

        linked = AnchorUnit.objects.get(code="jm-hardware").organisation_id is not None
        created_anchor.append(not linked)
        member = f.provider(900 + int(tag, 16) % 90, name=f"并发测试服务商{tag}")
        f.joined(member)
        pair = []
        for _ in range(2):
            product = products.product_start(membership=member, name=f"并发产品{tag}")
            f.fill_product(member, product, unit="jm-hardware")
            pair.append(product.pk)
        return member.pk, pair

    thread, prepared = in_thread(prepare, JIANGMEN)
    thread.join()
    assert "error" not in prepared, prepared.get("error")
    member_id, pair = prepared["value"]
    gate = threading.Barrier(2, timeout=20)

    def submit(product_id):
        def run():
            member = Membership.objects.select_related("organisation", "user").get(pk=member_id)
            product = Product.objects.select_related("declaration", "application").get(pk=product_id)
            gate.wait()
            try:
                return products.product_submit(membership=member, product=product).status
            except DomainError as error:
                return error.code

        return run

    try:
        runs = [in_thread(submit(pk), JIANGMEN) for pk in pair]
        for run_thread, _outcome in runs:
            run_thread.join(timeout=60)
            assert not run_thread.is_alive()
        results = sorted(str(outcome.get("value", outcome.get("error"))) for _t, outcome in runs)
        assert results == ["in_review", "product.duplicate_name"]
        with tenant_schema(JIANGMEN):
            assert Product.objects.filter(pk__in=pair, status="in_review").count() == 1
    finally:
        in_thread(lambda: _erase(member_id, anchor_too=created_anchor == [True]), JIANGMEN)[0].join()


def _erase(member_id: int, *, anchor_too: bool) -> None:
    """What the race committed goes again, so later tests see the tenant as it was."""
    from django.contrib.auth import get_user_model

    from tenant_apps.notifications.models import Message
    from tenant_apps.workflow.models import LogEntry
    from tenants.append_only import prune_allowed

    member = Membership.objects.get(pk=member_id)
    organisation = member.organisation
    applications = Application.objects.filter(organisation=organisation)
    with transaction.atomic(), prune_allowed():
        PoolEntry.objects.filter(product__organisation=organisation).delete()
        AllianceMember.objects.filter(organisation=organisation).delete()
        Product.objects.filter(organisation=organisation).delete()
        Declaration.objects.filter(organisation=organisation).delete()
        LogEntry.objects.filter(application__in=applications).delete()
        Task.objects.filter(application__in=applications).delete()
        Message.objects.filter(user=member.user).delete()
        applications.delete()
        user = member.user
        member.delete()
        organisation.delete()
        get_user_model().objects.filter(pk=user.pk).delete()
        if anchor_too:  # the unit's organisation the factory linked for the race
            from tenant_apps.configuration.models import AnchorUnit

            unit = AnchorUnit.objects.get(code="jm-hardware")
            anchor_org = unit.organisation
            AnchorUnit.objects.filter(pk=unit.pk).update(organisation=None)
            for anchor_member in Membership.objects.filter(organisation=anchor_org):
                Message.objects.filter(user=anchor_member.user).delete()
                anchor_user = anchor_member.user
                anchor_member.delete()
                anchor_user.delete()
            anchor_org.delete()
    connection.close()


# --- Leaving an alliance ---------------------------------------------------------------------------------------------
def test_leaving_an_alliance_empties_that_pool_only_and_keeps_history(member_joined):
    member = member_joined
    product = Product.objects.get(organisation=member.organisation)
    f.approve_product(product)
    f.anchor("jm-food")
    repeat = declarations.declaration_start(membership=member)
    declarations.declaration_save(
        membership=member, declaration=repeat, step=1, data={"anchor_unit": "jm-food"}, files={"cooperation": f.pdf()}
    )
    declarations.declaration_submit(membership=member, declaration=repeat)
    f.decide(f.anchor("jm-food"), repeat.application)
    hardware = AllianceMember.objects.get(organisation=member.organisation, anchor_unit__code="jm-hardware")
    refused(
        "alliance.not_found", alliances.member_leave, membership=f.anchor("jm-food"), member_pk=hardware.pk, reason="x"
    )  # another unit's member: as if it did not exist
    refused(
        "alliance.reason_required",
        alliances.member_leave,
        membership=f.anchor("jm-hardware"),
        member_pk=hardware.pk,
        reason=" ",
    )
    alliances.member_leave(membership=f.anchor("jm-hardware"), member_pk=hardware.pk, reason="合作协议到期")
    open_pools = PoolEntry.objects.filter(product=product, removed_at__isnull=True)
    assert list(open_pools.values_list("anchor_unit__code", flat=True)) == ["jm-food"]
    closed = PoolEntry.objects.get(product=product, anchor_unit__code="jm-hardware")
    assert closed.removed_reason == "合作协议到期"
    hardware.refresh_from_db()
    assert hardware.left_at is not None
    assert [u.code for u in declarations.bound_units(member.organisation)] == ["jm-food"]
    # Having left, it may ask to join again.
    assert "jm-hardware" in [u.code for u in declarations.declarable_units(member.organisation)]


# --- 信息变更 --------------------------------------------------------------------------------------------------------
def test_an_information_change_applies_on_approval_and_keeps_history(member_joined):
    member = member_joined
    before = changes.current(member.organisation)
    assert before["nature"] == "private" and before["contact_name"] == "陈经理"
    data = {
        **before,
        "contact_name": "周经理",
        "contact_mobile": "13907501234",
        "nature": "mixed",
        "reason": "联系人调整",
    }
    refused(
        "change.nothing_changed", changes.change_save, membership=member, data={**before, "reason": "无"}, submit=True
    )
    refused("change.contact_mobile", changes.change_save, membership=member, data={**data, "contact_mobile": "123"})
    change = changes.change_save(membership=member, data=data, submit=True)
    assert change.status == Status.IN_REVIEW and change.previous["contact_name"] == "陈经理"
    refused("change.open_exists", changes.change_save, membership=member, data=data)
    f.decide(f.city("jm_ops"), change.application)
    change.refresh_from_db()
    member.organisation.refresh_from_db()
    assert change.status == Status.APPROVED and change.applied_at is not None
    assert member.organisation.contact_name == "周经理"
    assert changes.current(member.organisation)["nature"] == "mixed"
    assert ProviderChange.objects.filter(organisation=member.organisation).count() == 1


def test_prices_are_stored_as_given(member_joined):
    product = Product.objects.get(organisation=member_joined.organisation)
    assert (product.price_min, product.price_max, product.discount_percent) == (
        Decimal("20000.00"),
        Decimal("80000.00"),
        Decimal("15.00"),
    )


# --- The city admin links units to organisations ---------------------------------------------------------------------
def test_the_city_admin_links_a_unit_to_an_anchor_unit_organisation_only(login_client, tenant_schema):
    with tenant_schema(JIANGMEN):
        anchor_org = Organisation.objects.create(kind="anchor_unit", name="江门测试牵引单位组织")
        provider_org = f.provider(1).organisation
    page = login_client(JIANGMEN, "jm_admin").get("/django-admin/configuration/anchorunit/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{anchor_org.pk}"' in html and "江门测试牵引单位组织" in html
    assert provider_org.name not in html


def test_the_city_reads_every_submitted_declaration_and_no_draft(jm):
    member = f.provider(1)
    declaration = f.first_declaration(member)
    visible = policies.applications_visible
    assert not visible(f.city("jm_bureau")).filter(pk=declaration.application_id).exists()  # a draft is the provider's
    declarations.declaration_submit(membership=member, declaration=declaration)
    product = declaration.products.get()
    for username in ("jm_ops", "jm_bureau", "jm_admin"):
        assert visible(f.city(username)).filter(pk__in=[declaration.application_id]).exists(), username
    enterprise = Membership.objects.get(user__username="jm_enterprise")
    assert not visible(enterprise).filter(pk=declaration.application_id).exists()
    assert not visible(f.anchor("jm-food")).filter(pk=declaration.application_id).exists()
    f.decide(f.anchor("jm-hardware"), declaration.application)
    assert visible(f.city("jm_bureau")).filter(pk=product.application_id).exists()  # before its re-review stage
