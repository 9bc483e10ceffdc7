"""专家管理 (seed 001 §4.8): a certified provider's experts — the seed's limits as boundaries, who may act, isolation
between tenants and organisations, the delete rule for experts shown on products, and a bounded list."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

PHOTO_MAX = 2048 * 1024
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
    b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
    b"startxref\n162\n%%EOF\n"
)


# --- Files ------------------------------------------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(size: int | None = None) -> bytes:
    """A real 1×1 PNG; with `size`, padded to exactly that many bytes by a private ancillary chunk (zeros)."""
    head = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    tail = _chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + _chunk(b"IEND", b"")
    if size is None:
        return head + tail
    padding = size - len(head) - len(tail) - 12
    assert padding >= 0
    data = head + _chunk(b"prVt", b"\x00" * padding) + tail
    assert len(data) == size
    return data


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def png(name="photo.png", size=None):
    return SimpleUploadedFile(name, png_bytes(size), content_type="image/png")


def multipart(data: dict) -> bytes:
    """PUT/PATCH bodies as multipart/form-data (the test client encodes only POST that way by itself)."""
    return encode_multipart(BOUNDARY, data)


def fields(**over) -> dict:
    data = {
        "name": "张三",
        "age": 45,
        "gender": "male",
        "iiot_specialty": "工业互联网平台",
        "industry_fields": "装备制造、电子信息",
        "operations_field": "生产运营优化",
        "years_iiot": 10,
        "years_industry": 20,
        "experience": "主持多个工业互联网平台项目。",
        "title": "高级工程师",
        "education": "硕士",
        "introduction": "长期从事制造业数字化转型咨询。",
    }
    data.update(over)
    return data


# --- People -----------------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _membership(username):
    from tenant_apps.organisations.models import Membership

    return Membership.objects.select_related("organisation", "user").get(user__username=username)


def _make_provider(username, *, certified=True, kind="provider", roles=("provider",)):
    from django.contrib.auth import get_user_model

    from tenant_apps.organisations.models import Organisation
    from tenant_apps.organisations.services import membership_grant

    n = sum(map(ord, username)) % 10000
    user = get_user_model().objects.create_user(username, mobile=f"1397777{n:04d}", password="x")
    organisation = Organisation.objects.create(
        kind=kind,
        name=f"{username}科技有限公司",
        certification=Organisation.Certification.CERTIFIED if certified else Organisation.Certification.NONE,
    )
    return membership_grant(user=user, roles=list(roles), organisation=organisation)


@pytest.fixture
def provider(tenant_schema):
    with tenant_schema("national"):
        return _membership("nat_provider")


def _create(membership, **over):
    from tenant_apps.marketplace.experts import expert_create

    return expert_create(membership=membership, data=fields(**over), photo=png())


# --- The seed's limits ------------------------------------------------------------------------------------------
def test_name_30_characters_ok_31_refused(provider, tenant_schema):
    from tenant_apps.marketplace.experts import expert_create
    from tenants.errors import DomainError

    with tenant_schema("national"):
        assert _create(provider, name="名" * 30).name == "名" * 30
        with pytest.raises(DomainError) as refused:
            expert_create(membership=provider, data=fields(name="名" * 31), photo=png())
    assert (refused.value.code, refused.value.field) == ("market.expert_too_long", "name")


def test_experience_200_characters_ok_201_refused(provider, tenant_schema):
    from tenant_apps.marketplace.experts import expert_create
    from tenants.errors import DomainError

    with tenant_schema("national"):
        assert len(_create(provider, experience="业" * 200).experience) == 200
        with pytest.raises(DomainError) as refused:
            expert_create(membership=provider, data=fields(experience="业" * 201), photo=png())
    assert (refused.value.code, refused.value.field) == ("market.expert_too_long", "experience")


def test_photo_of_2048_kb_ok_one_byte_more_refused(provider, tenant_schema):
    from tenant_apps.marketplace.experts import expert_create
    from tenants.errors import DomainError

    with tenant_schema("national"):
        expert = expert_create(membership=provider, data=fields(), photo=png(size=PHOTO_MAX))
        assert expert.photo.size == PHOTO_MAX
        with pytest.raises(DomainError) as refused:
            expert_create(membership=provider, data=fields(), photo=png(size=PHOTO_MAX + 1))
    assert (refused.value.code, refused.value.field) == ("upload.too_large", "photo")
    assert "2048 KB" in refused.value.message


def test_photo_by_content_a_pdf_named_jpg_refused_png_and_jpeg_ok(provider, tenant_schema):
    from tenant_apps.marketplace.experts import expert_create
    from tenants.errors import DomainError

    with tenant_schema("national"):
        with pytest.raises(DomainError) as refused:
            expert_create(
                membership=provider, data=fields(), photo=SimpleUploadedFile("me.jpg", PDF, content_type="image/jpeg")
            )
        assert (refused.value.code, refused.value.field) == ("upload.wrong_type", "photo")
        as_png = expert_create(membership=provider, data=fields(), photo=png("x.jpg"))
        as_jpeg = expert_create(
            membership=provider, data=fields(), photo=SimpleUploadedFile("me.jpeg", jpeg_bytes(), "image/jpeg")
        )
    # Stored under what the content is, not what the name said.
    assert as_png.photo.name.endswith(".png") and as_jpeg.photo.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"operations_field": ""}, "operations_field", "market.expert_required"),
        ({"introduction": "  "}, "introduction", "market.expert_required"),
        ({"age": 17}, "age", "market.expert_age_range"),
        ({"gender": "other"}, "gender", "market.expert_gender"),
        ({"years_iiot": 46}, "years_iiot", "market.expert_years_over_age"),
        ({"years_industry": "十"}, "years_industry", "market.expert_not_a_number"),
    ],
)
def test_seed_required_fields_and_numbers(provider, tenant_schema, over, field, code):
    from tenant_apps.marketplace.experts import expert_create
    from tenants.errors import DomainError

    with tenant_schema("national"):
        with pytest.raises(DomainError) as refused:
            expert_create(membership=provider, data=fields(**over), photo=png())
    assert (refused.value.field, refused.value.code) == (field, code)


def test_photo_required_on_create_kept_on_update(provider, tenant_schema):
    from tenant_apps.marketplace.experts import expert_create, expert_update
    from tenants.errors import DomainError

    with tenant_schema("national"):
        with pytest.raises(DomainError) as refused:
            expert_create(membership=provider, data=fields(), photo=None)
        assert refused.value.code == "market.expert_photo_required"
        expert = _create(provider)
        photo = expert.photo.name
        expert_update(membership=provider, expert=expert, data=fields(name="李四"))
        expert.refresh_from_db()
    assert (expert.name, expert.photo.name) == ("李四", photo)


# --- Who may act --------------------------------------------------------------------------------------------------
def test_uncertified_provider_refused_everywhere(tenant_schema, tenant_client):
    from tenant_apps.marketplace.experts import expert_create
    from tenants.errors import DomainError

    with tenant_schema("national"):
        pending = _make_provider("exp_uncertified", certified=False)
        with pytest.raises(DomainError) as refused:
            expert_create(membership=pending, data=fields(), photo=png())
        user = pending.user
    assert (refused.value.code, refused.value.status) == ("market.not_certified", 403)
    client = tenant_client("national")
    client.force_login(user)
    page = client.get("/workbench/market/experts/")
    assert page.status_code == 403 and "尚未通过认证" in page.content.decode()
    assert client.get("/workbench/market/experts/new/").status_code == 403
    api = client.post("/api/v1/market/experts/", {**fields(), "photo": png()})
    assert api.status_code == 403 and api.json()["code"] == "market.not_certified"


def test_enterprise_refused(login_client):
    client = login_client("national", "nat_enterprise")
    assert client.get("/workbench/market/experts/").status_code == 403
    assert client.get("/workbench/market/experts/new/").status_code == 403
    assert client.get("/api/v1/market/experts/").status_code == 403
    assert client.post("/api/v1/market/experts/", {**fields(), "photo": png()}).status_code == 403


def test_module_switched_off_is_404(login_client):
    # Harbin does not run the experts module: its pages and API do not exist there.
    client = login_client("harbin", "hrb_enterprise")
    assert client.get("/workbench/market/experts/").status_code == 404
    assert client.get("/api/v1/market/experts/").status_code == 404


# --- Pages --------------------------------------------------------------------------------------------------------
def test_provider_pages_create_edit_delete(login_client, tenant_schema):
    from tenant_apps.marketplace.models import ProviderExpert

    client = login_client("national", "nat_provider")
    empty = client.get("/workbench/market/experts/")
    assert empty.status_code == 200
    assert 'id="expert-create"' in empty.content.decode() and "还没有专家" in empty.content.decode()
    form = client.get("/workbench/market/experts/new/").content.decode()
    assert "支持 jpeg/jpg/png 格式，单个文件不超过 2 MB" in form and "工业运行领域" in form

    # Invalid input: 400, field-level message, nothing typed is lost.
    bad = client.post("/workbench/market/experts/new/", {**fields(name="名" * 31, industry_fields="化工行业")})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert 'data-field="name"' in text and "化工行业" in text and "has-error" in text

    done = client.post("/workbench/market/experts/new/", {**fields(name="王五"), "photo": png()})
    assert done.status_code == 302 and done["Location"] == "/workbench/market/experts/"
    with tenant_schema("national"):
        expert = ProviderExpert.objects.get(name="王五")
    listing = client.get("/workbench/market/experts/").content.decode()
    assert "王五" in listing and "工业互联网平台" in listing and "高级工程师" in listing

    edit = client.get(f"/workbench/market/experts/{expert.pk}/")
    assert edit.status_code == 200 and "王五" in edit.content.decode() and "data-confirm" in edit.content.decode()
    saved = client.post(f"/workbench/market/experts/{expert.pk}/", fields(name="王五一", title=""))
    assert saved.status_code == 302
    photo = client.get(f"/workbench/market/experts/{expert.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["X-Content-Type-Options"] == "nosniff"

    assert client.get(f"/workbench/market/experts/{expert.pk}/delete/").status_code == 405
    gone = client.post(f"/workbench/market/experts/{expert.pk}/delete/")
    assert gone.status_code == 302
    with tenant_schema("national"):
        assert not ProviderExpert.objects.filter(pk=expert.pk).exists()


def test_a_form_opened_before_another_save_is_refused_not_overwritten(login_client, tenant_schema):
    """Two people of one provider edit the same expert: the second save, from a form opened before the first, is
    refused with the reason (the page keeps what was typed), and the API says 409 market.stale."""
    import re

    from tenant_apps.marketplace.models import ProviderExpert

    client = login_client("national", "nat_provider")
    assert client.post("/workbench/market/experts/new/", {**fields(name="赵六"), "photo": png()}).status_code == 302
    with tenant_schema("national"):
        expert = ProviderExpert.objects.get(name="赵六")
    page = client.get(f"/workbench/market/experts/{expert.pk}/").content.decode()
    opened = re.search(r'name="version" value="(\d+)"', page).group(1)
    first = client.post(f"/workbench/market/experts/{expert.pk}/", {**fields(name="赵六甲"), "version": opened})
    assert first.status_code == 302
    stale = client.post(f"/workbench/market/experts/{expert.pk}/", {**fields(name="赵六乙"), "version": opened})
    assert stale.status_code == 400
    text = stale.content.decode()
    assert "已被他人修改" in text and "赵六乙" in text and f'name="version" value="{opened}"' in text
    with tenant_schema("national"):
        assert ProviderExpert.objects.get(pk=expert.pk).name == "赵六甲"
    api = client.patch(
        f"/api/v1/market/experts/{expert.pk}/",
        data={"name": "赵六丙", "version": int(opened)},
        content_type="application/json",
    )
    assert api.status_code == 409 and api.json()["code"] == "market.stale"
    fresh = client.get(f"/api/v1/market/experts/{expert.pk}/").json()["version"]
    assert (
        client.patch(
            f"/api/v1/market/experts/{expert.pk}/",
            data={"name": "赵六丙", "version": fresh},
            content_type="application/json",
        ).status_code
        == 200
    )


def _listed_with(expert, provider_membership, *, state="listed"):
    from django.utils import timezone

    from tenant_apps.marketplace.models import Listing, ListingVersion

    listing = Listing.objects.create(organisation_id=expert.organisation_id)
    version = ListingVersion.objects.create(listing=listing, name="智能排产云平台", created_by=provider_membership.user)
    version.experts.add(expert)
    Listing.objects.filter(pk=listing.pk).update(state=state, live_version=version, listed_at=timezone.now())
    return listing


def test_expert_on_a_product_on_sale_cannot_be_deleted(provider, login_client, tenant_schema):
    from tenant_apps.marketplace.experts import expert_delete
    from tenant_apps.marketplace.models import ProviderExpert
    from tenants.errors import DomainError

    with tenant_schema("national"):
        expert = _create(provider, name="赵六")
        listing = _listed_with(expert, provider)
        with pytest.raises(DomainError) as refused:
            expert_delete(membership=provider, expert=expert)
    assert (refused.value.code, refused.value.status) == ("market.expert_in_use", 409)
    assert "「智能排产云平台」" in refused.value.message

    client = login_client("national", "nat_provider")
    page = client.get(f"/workbench/market/experts/{expert.pk}/").content.decode()
    assert "智能排产云平台" in page and "disabled" in page
    answer = client.post(f"/workbench/market/experts/{expert.pk}/delete/", follow=True)
    assert "智能排产云平台" in answer.content.decode()
    api = client.delete(f"/api/v1/market/experts/{expert.pk}/")
    assert api.status_code == 409 and api.json()["code"] == "market.expert_in_use"

    # The public product page may show the photo of an expert on a product on sale; nothing else.
    anonymous = login_client("national", "nat_enterprise")
    assert anonymous.get(f"/workbench/market/products/{listing.pk}/experts/{expert.pk}/photo/").status_code == 200
    with tenant_schema("national"):
        from tenant_apps.marketplace.models import Listing

        Listing.objects.filter(pk=listing.pk).update(state="delisted")
        assert ProviderExpert.objects.filter(pk=expert.pk).exists()
        expert_delete(membership=provider, expert=expert)  # off sale: the expert may go
        assert not ProviderExpert.objects.filter(pk=expert.pk).exists()
    assert anonymous.get(f"/workbench/market/products/{listing.pk}/experts/{expert.pk}/photo/").status_code == 404


def test_ops_read_all_with_provider_filter_but_cannot_write(provider, login_client, tenant_schema):
    with tenant_schema("national"):
        own = _create(provider, name="孙七")
        other_org = _make_provider("exp_other_org")
        other = _create(other_org, name="周八")
    ops = login_client("national", "nat_ops")
    page = ops.get("/workbench/market/experts/")
    text = page.content.decode()
    assert page.status_code == 200 and "孙七" in text and "周八" in text and "示例工业互联网科技有限公司" in text
    filtered = ops.get(f"/workbench/market/experts/?provider={provider.organisation_id}").content.decode()
    assert "孙七" in filtered and "周八" not in filtered
    detail = ops.get(f"/workbench/market/experts/{other.pk}/")
    assert (
        detail.status_code == 200 and "周八" in detail.content.decode() and "expert-form" not in detail.content.decode()
    )
    assert ops.get(f"/workbench/market/experts/{other.pk}/photo/").status_code == 200
    assert ops.get("/workbench/market/experts/new/").status_code == 403
    assert ops.post(f"/workbench/market/experts/{own.pk}/delete/").status_code == 403

    api = ops.get(f"/api/v1/market/experts/?provider={other_org.organisation_id}").json()
    assert [row["name"] for row in api["results"]] == ["周八"]
    assert ops.get(f"/api/v1/market/experts/{own.pk}/").json()["provider_name"] == "示例工业互联网科技有限公司"
    assert (
        ops.patch(f"/api/v1/market/experts/{own.pk}/", {"name": "改"}, content_type="application/json").status_code
        == 403
    )
    assert ops.delete(f"/api/v1/market/experts/{own.pk}/").status_code == 403
    with tenant_schema("national"):
        own.refresh_from_db()
    assert own.name == "孙七"


# --- API ----------------------------------------------------------------------------------------------------------
def test_api_create_retrieve_update_delete(login_client, tenant_schema):
    from tenant_apps.marketplace.models import ProviderExpert

    client = login_client("national", "nat_provider")
    created = client.post("/api/v1/market/experts/", {**fields(name="吴九"), "photo": png()})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "吴九" and body["gender_label"] == "男" and body["photo_url"].endswith("/photo/")
    pk = body["id"]
    assert client.get(f"/api/v1/market/experts/{pk}/").json()["experience"] == fields()["experience"]
    listed = client.get("/api/v1/market/experts/").json()
    assert pk in [row["id"] for row in listed["results"]]

    too_long = client.patch(
        f"/api/v1/market/experts/{pk}/", {"experience": "业" * 201}, content_type="application/json"
    )
    assert too_long.status_code == 400 and "experience" in too_long.json()["errors"]
    fake = client.patch(
        f"/api/v1/market/experts/{pk}/",
        multipart({"photo": SimpleUploadedFile("x.jpg", PDF, "image/jpeg")}),
        content_type=MULTIPART_CONTENT,
    )
    assert fake.status_code == 400 and fake.json()["code"] == "upload.wrong_type"
    assert "photo" in fake.json()["errors"]
    renamed = client.patch(f"/api/v1/market/experts/{pk}/", {"name": "吴九九"}, content_type="application/json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "吴九九"
    put = client.put(
        f"/api/v1/market/experts/{pk}/",
        multipart({**fields(name="吴十"), "photo": png(size=PHOTO_MAX)}),
        content_type=MULTIPART_CONTENT,
    )
    assert put.status_code == 200 and put.json()["name"] == "吴十"
    assert client.delete(f"/api/v1/market/experts/{pk}/").status_code == 204
    with tenant_schema("national"):
        assert not ProviderExpert.objects.filter(pk=pk).exists()


def test_openapi_describes_the_expert_endpoints(login_client):
    schema = login_client("national", "nat_provider").get("/api/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code != 200:
        pytest.fail(f"schema answered {schema.status_code}")
    text = schema.content.decode()
    assert "/api/v1/market/experts/" in text and "/api/v1/market/experts/{id}/" in text


# --- Isolation ----------------------------------------------------------------------------------------------------
def test_isolation_other_organisation_other_tenant_anonymous(provider, tenant_schema, tenant_client, login_client):
    from django.contrib.auth import get_user_model

    from tenant_apps.marketplace.models import ProviderExpert

    with tenant_schema("national"):
        expert = _create(provider, name="郑秘密专家")
        other = _make_provider("exp_isolated_b")
        other_user = other.user
    urls_get = [
        f"/workbench/market/experts/{expert.pk}/",
        f"/workbench/market/experts/{expert.pk}/photo/",
        f"/api/v1/market/experts/{expert.pk}/",
    ]

    # Another certified provider of the same tenant: A's expert does not exist for it.
    b = tenant_client("national")
    b.force_login(other_user)
    for url in urls_get:
        assert b.get(url).status_code == 404, url
    assert "郑秘密专家" not in b.get("/workbench/market/experts/").content.decode()
    assert "郑秘密专家" not in b.get("/api/v1/market/experts/").content.decode()
    assert b.post(f"/workbench/market/experts/{expert.pk}/", fields(name="被改")).status_code == 404
    assert b.post(f"/workbench/market/experts/{expert.pk}/delete/").status_code == 404
    assert (
        b.patch(f"/api/v1/market/experts/{expert.pk}/", {"name": "被改"}, content_type="application/json").status_code
        == 404
    )
    assert b.delete(f"/api/v1/market/experts/{expert.pk}/").status_code == 404

    # A member of another tenant (jiangmen's enterprise, no membership in national).
    jm = tenant_client("national")
    jm.force_login(get_user_model().objects.get(username="jm_enterprise"))
    for url in urls_get:
        assert jm.get(url).status_code in (403, 404), url
    assert jm.get("/api/v1/market/experts/").status_code == 403
    assert jm.delete(f"/api/v1/market/experts/{expert.pk}/").status_code in (403, 404)

    # Anonymous: pages ask to sign in, the API refuses.
    anonymous = tenant_client("national")
    for url in urls_get[:2] + ["/workbench/market/experts/", "/workbench/market/experts/new/"]:
        answer = anonymous.get(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/"), url
    assert anonymous.get("/api/v1/market/experts/").status_code in (401, 403)
    assert anonymous.delete(f"/api/v1/market/experts/{expert.pk}/").status_code in (401, 403)

    # The owner still reaches it (the refusals above are about the caller, not the id), and nothing changed.
    assert login_client("national", "nat_provider").get(urls_get[0]).status_code == 200
    with tenant_schema("national"):
        assert ProviderExpert.objects.get(pk=expert.pk).name == "郑秘密专家"


# --- A bounded list -----------------------------------------------------------------------------------------------
def test_list_query_count_does_not_grow_with_rows(provider, login_client, tenant_schema):
    from tenant_apps.marketplace.models import ProviderExpert

    def count(client, url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add(n):
        with tenant_schema("national"):
            ProviderExpert.objects.bulk_create(
                ProviderExpert(organisation_id=provider.organisation_id, **fields(name=f"批量{i}")) for i in range(n)
            )

    client = login_client("national", "nat_provider")
    ops = login_client("national", "nat_ops")
    urls = ["/workbench/market/experts/", "/api/v1/market/experts/"]
    add(3)
    [count(c, url) for c in (client, ops) for url in urls]  # warm the per-process caches (menus, settings)
    few = [count(client, url) for url in urls] + [count(ops, url) for url in urls]
    add(30)
    many = [count(client, url) for url in urls] + [count(ops, url) for url in urls]
    assert many == few
    assert max(many) <= 25
