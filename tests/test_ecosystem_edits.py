"""What a provider may still undo while a declaration or product is editable, and who may: a wrongly uploaded proof
or case contract is removed (only by the applicant, only while editable; the form as typed is saved with it);
deleting a returned declaration, product or change closes its engine application (withdrawn and 办结, out of
继续填写) instead of leaving it 已退回; a colleague of the same provider sees the rows but is offered no
继续填写 / 重新提交 / 删除, and posting anyway answers with the reason, never a 500."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from tenant_apps.ecosystem import changes, declarations, products
from tenant_apps.ecosystem.models import Declaration, Product, ProductFile, ProviderChange, Status
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import selectors as engine_selectors
from tenant_apps.workflow.models import Application, LogEntry
from tenants.errors import DomainError
from tests import ecosystem_factories as f

pytestmark = pytest.mark.django_db
JIANGMEN = "jiangmen"
BASE = "/workbench/ecosystem"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def jm(tenant_schema):
    with tenant_schema(JIANGMEN):
        yield


@pytest.fixture
def client_of(tenant_client):
    def make(member):
        client = tenant_client(JIANGMEN)
        client.force_login(member.user)
        return client

    return make


def colleague_of(member: Membership) -> Membership:
    """A second account of the same provider organisation, with the provider role."""
    user = get_user_model().objects.create_user("eco_colleague", mobile="13707509999", password=f.PASSWORD)
    return Membership.objects.create(user=user, organisation=member.organisation, roles=["provider"])


def refused(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value


def version_of(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html).group(1)


def row_of(html: str, attribute: str, pk: int) -> str:
    row = html[html.index(f'{attribute}="{pk}"') :]
    return row[: row.index("</tr>")]


def own_product_with_proofs(member):
    """A standalone product of a joined provider: its own (自有) with one IP proof and two other proofs."""
    f.joined(member)
    product = products.product_start(membership=member, name="设备点检小程序")
    f.fill_product(member, product, unit="jm-hardware")
    return products.product_save(
        membership=member,
        product=product,
        data={"nature": "own"},
        files={"ip_proof": [f.pdf("软著证书（错传）.pdf")], "other": [f.pdf("检测报告.pdf"), f.pdf("用户评价.pdf")]},
    )


def product_form_post(product, html: str, **extra) -> dict:
    """The product form as saved, posted back with the cases it shows (each keeping its contract)."""
    data = {"version": version_of(html), "name": product.name, **f.PRODUCT_DATA, "nature": product.nature}
    data["anchor_unit"] = str(product.anchor_unit_id)
    cases = list(product.cases.all())
    data.update({"cases-TOTAL_FORMS": str(len(cases)), "cases-INITIAL_FORMS": str(len(cases))})
    for i, case in enumerate(cases):
        data.update({f"cases-{i}-customer": case.customer, f"cases-{i}-summary": case.summary})
        data[f"cases-{i}-keep"] = str(case.pk)
    data.update(extra)
    return data


# --- Removing a proof -----------------------------------------------------------------------------------------------
def test_the_applicant_removes_a_wrong_proof_while_the_product_is_editable(jm):
    member = f.provider(1)
    product = own_product_with_proofs(member)
    ip_proof = product.files.get(kind=ProductFile.Kind.IP_PROOF)
    version = product.application.version

    products.product_file_remove(membership=member, product=product, file_pk=ip_proof.pk, expected_version=version)
    assert not ProductFile.objects.filter(pk=ip_proof.pk).exists()
    assert product.files.filter(kind=ProductFile.Kind.OTHER).count() == 2  # only that one went
    assert ("files.ip_proof", "自有产品请上传自主知识产权证明。") in products.problems(product)
    product.application.refresh_from_db()
    assert product.application.version == version + 1  # other open forms of the product are stale now

    other = product.files.filter(kind=ProductFile.Kind.OTHER).first()
    stale = refused(products.product_file_remove, membership=member, product=product, file_pk=other.pk,
                    expected_version=version)  # fmt: skip
    assert (stale.code, stale.status) == ("workflow.stale", 409)
    gone = refused(products.product_file_remove, membership=member, product=product, file_pk=ip_proof.pk)
    assert (gone.code, gone.status, gone.field) == ("product.file_not_found", 404, "files")

    stranger = f.provider(2)
    assert refused(products.product_file_remove, membership=stranger, product=product, file_pk=other.pk).status == 404
    colleague = refused(products.product_file_remove, membership=colleague_of(member), product=product,
                        file_pk=other.pk)  # fmt: skip
    assert (colleague.code, colleague.status, colleague.message) == (
        "workflow.not_applicant",
        403,
        "只有申请人可以修改。",
    )

    products.product_save(membership=member, product=product, data={"nature": "agency"})
    products.product_submit(membership=member, product=product)
    locked = refused(products.product_file_remove, membership=member, product=product, file_pk=other.pk)
    assert (locked.code, locked.status) == ("product.not_editable", 409)
    assert ProductFile.objects.filter(pk=other.pk).exists()


def test_the_form_removes_one_file_and_keeps_what_was_typed(jm, client_of):
    member = f.provider(1)
    product = own_product_with_proofs(member)
    ip_proof = product.files.get(kind=ProductFile.Kind.IP_PROOF)
    client = client_of(member)
    url = f"{BASE}/products/{product.pk}/"
    html = client.get(url).content.decode()
    assert f'name="remove_file" value="{ip_proof.pk}"' in html  # a 删除 next to each uploaded proof
    assert html.count('name="remove_file"') == 3 and html.count('name="remove_contract"') == 3

    removed = client.post(
        url, product_form_post(product, html, scenarios="删除文件前刚改的场景", remove_file=ip_proof.pk)
    )
    assert removed.status_code == 302 and removed.url.startswith(url)
    assert not ProductFile.objects.filter(pk=ip_proof.pk).exists()
    product.refresh_from_db()
    assert product.scenarios == "删除文件前刚改的场景"  # the form as typed was saved with it
    assert product.files.filter(kind=ProductFile.Kind.OTHER).count() == 2

    html = client.get(url).content.decode()
    first, *others = product.cases.all()
    dropped = client.post(url, product_form_post(product, html, remove_contract=first.pk))
    assert dropped.status_code == 302
    cases = list(product.cases.all())
    assert [bool(case.contract) for case in cases] == [False, True, True]
    assert [case.customer for case in cases] == [first.customer, *(case.customer for case in others)]


# --- Deleting closes the engine's application --------------------------------------------------------------------
def _closed(application_pk: int, member) -> Application:
    application = Application.objects.get(pk=application_pk)
    assert application.state == Application.State.WITHDRAWN and application.decided_at is not None
    assert application.log.last().action == LogEntry.Action.WITHDRAW
    assert not engine_selectors.unfinished_applications(member).filter(pk=application_pk).exists()
    assert engine_selectors.my_applications(member).filter(pk=application_pk).exists()  # the history stays
    return application


def test_deleting_a_returned_declaration_closes_its_application(jm, client_of):
    member = f.provider(1)
    declaration = f.first_declaration(member)
    declarations.declaration_submit(membership=member, declaration=declaration)
    f.decide(f.anchor("jm-hardware"), declaration.application, "return", "合作证明缺少盖章页。")
    product_application = declaration.products.get().application_id
    assert engine_selectors.unfinished_applications(member).filter(pk=declaration.application_id).exists()

    deleted = client_of(member).post(f"{BASE}/declarations/{declaration.pk}/delete/")
    assert deleted.status_code == 302
    assert not Declaration.objects.filter(pk=declaration.pk).exists()
    application = _closed(declaration.application_id, member)
    assert engine_selectors.next_step(application) == "已撤销，办理结束"
    assert not Application.objects.filter(pk=product_application).exists()  # its products' drafts went with it


def test_deleting_a_returned_product_or_change_closes_its_application(jm):
    member = f.provider(1)
    product = f.joined(member).products.get()
    f.decide(f.anchor("jm-hardware"), product.application, "return", "案例合同不清晰。")
    product.refresh_from_db()
    assert product.status == Status.RETURNED
    products.product_delete(membership=member, product=product)
    assert not Product.objects.filter(pk=product.pk).exists()
    _closed(product.application_id, member)

    change = changes.change_save(membership=member, change=None, data={"contact_name": "李经理", "reason": "换人"},
                                 submit=True)  # fmt: skip
    f.decide(f.city("jm_ops"), change.application, "return", "请补充授权书。")
    change.refresh_from_db()
    changes.change_delete(membership=member, change=change)
    assert not ProviderChange.objects.filter(pk=change.pk).exists()
    _closed(change.application_id, member)

    draft = products.product_start(membership=member, name="从未提交的草稿")
    products.product_delete(membership=member, product=draft)
    assert not Application.objects.filter(pk=draft.application_id).exists()  # nothing to keep: it goes


# --- A colleague of the same provider ------------------------------------------------------------------------------
def test_a_colleague_sees_the_rows_but_only_the_applicant_acts_on_them(jm, client_of):
    member = f.provider(1)
    declaration = f.first_declaration(member)
    declarations.declaration_submit(membership=member, declaration=declaration)
    f.decide(f.anchor("jm-hardware"), declaration.application, "return", "合作证明缺少盖章页。")
    colleague = colleague_of(member)
    client = client_of(colleague)

    listing = client.get(f"{BASE}/declarations/").content.decode()
    row = row_of(listing, "data-declaration", declaration.pk)
    assert "已退回" in row and "由申请人办理" in row
    assert 'data-action="resubmit"' not in row and 'data-action="delete"' not in row
    mine = row_of(client_of(member).get(f"{BASE}/declarations/").content.decode(), "data-declaration", declaration.pk)
    assert 'data-action="resubmit"' in mine and 'data-action="delete"' in mine

    edit = client.get(f"{BASE}/declarations/{declaration.pk}/?step=1", follow=True)
    assert edit.redirect_chain[-1][0] == f"{BASE}/declarations/" and "只有申请人可以修改。" in edit.content.decode()
    posted = client.post(f"{BASE}/declarations/{declaration.pk}/?step=2", {"profile": "同事改的简介", "do": "save"})
    assert posted.status_code == 302
    deleted = client.post(f"{BASE}/declarations/{declaration.pk}/delete/")
    assert deleted.status_code == 403 and "只有申请人可以删除。" in deleted.content.decode()
    declaration.refresh_from_db()
    assert declaration.status == Status.RETURNED and declaration.profile != "同事改的简介"
    added = client.post(f"{BASE}/declarations/{declaration.pk}/products/new/", {"name": "同事加的产品"})
    assert added.status_code == 302 and not declaration.products.filter(name="同事加的产品").exists()
    assert (
        refused(products.product_start, membership=colleague, name="同事加的产品", declaration=declaration).status
        == 403
    )


def test_a_colleague_cannot_edit_submit_or_delete_a_product(jm, client_of):
    member = f.provider(1)
    product = own_product_with_proofs(member)
    client = client_of(colleague_of(member))
    listing = client.get(f"{BASE}/products/").content.decode()
    row = row_of(listing, "data-product", product.pk)
    assert "由申请人办理" in row
    assert not any(f'data-action="{a}"' in row for a in ("edit", "delete", "submit"))

    url = f"{BASE}/products/{product.pk}/"
    page = client.get(url, follow=True)
    assert page.redirect_chain[-1][0] == f"{BASE}/products/" and "只有申请人可以修改。" in page.content.decode()
    ip_proof = product.files.get(kind=ProductFile.Kind.IP_PROOF)
    assert client.post(url, {"remove_file": ip_proof.pk, "name": "同事改名"}).status_code == 302
    submitted = client.post(f"{BASE}/products/{product.pk}/submit/", follow=True)
    assert "只有申请人可以修改。" in submitted.content.decode()
    deleted = client.post(f"{BASE}/products/{product.pk}/delete/")
    assert deleted.status_code == 403 and "只有申请人可以删除。" in deleted.content.decode()
    product.refresh_from_db()
    assert (product.name, product.status) == ("设备点检小程序", Status.DRAFT)
    assert ProductFile.objects.filter(pk=ip_proof.pk).exists()
