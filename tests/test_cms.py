"""The portal per tenant: page trees, columns with search and paging, nationwide notices, sanitising, the API."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import ArticlePage, ColumnIndexPage, PortalHomePage
from cms.services import nationwide_sync
from shared_apps.broadcasts.models import NationwideNotice

pytestmark = pytest.mark.django_db

JIANGMEN_NOTICE = "关于开展第三期中小企业数字化转型人才培训工作的通知"
HARBIN_NOTICE = "关于开展哈尔滨市中小企业数字化转型试点企业培育入库工作的通知"
MINISTRY_NOTICE = "关于开展中小企业数字化转型城市试点工作的通知"


def _index(column="notices") -> ColumnIndexPage:
    return ColumnIndexPage.objects.get(column=column)


def _publish(index, **fields) -> ArticlePage:
    page = index.add_child(instance=ArticlePage(**fields))
    page.save_revision().publish()
    return page


def _path(page) -> str:
    """A page's path on its host: its url_path without the home page's own slug."""
    return "/" + page.url_path.split("/", 2)[2]


def test_each_tenant_serves_its_own_tree_with_its_name_and_notices(tenant_client):
    harbin = tenant_client("harbin").get("/").content.decode()
    jiangmen = tenant_client("jiangmen").get("/").content.decode()
    assert "哈尔滨市中小企业数字化转型城市试点" in harbin and HARBIN_NOTICE in harbin
    assert JIANGMEN_NOTICE in jiangmen and HARBIN_NOTICE not in jiangmen
    assert JIANGMEN_NOTICE not in harbin
    # Columns and the FAQ are in the navigation; the home page lists each column's latest items.
    for label in ("通知公告", "政策动态", "新闻资讯", "中小专栏", "政策解读", "常见问题"):
        assert label in harbin
    assert tenant_client("jiangmen").get("/notices/").status_code == 200
    assert tenant_client("harbin").get("/interpretations/").status_code == 200


def test_page_trees_are_separate_schemas(tenant_schema, tenant_client):
    with tenant_schema("jiangmen"):
        jiangmen_titles = set(ArticlePage.objects.values_list("title", flat=True))
        path = _path(ArticlePage.objects.get(title=JIANGMEN_NOTICE))
    with tenant_schema("harbin"):
        harbin_titles = set(ArticlePage.objects.values_list("title", flat=True))
        assert PortalHomePage.objects.count() == 1
    assert JIANGMEN_NOTICE in jiangmen_titles and not (jiangmen_titles & harbin_titles)
    assert tenant_client("jiangmen").get(path).status_code == 200
    assert tenant_client("harbin").get(path).status_code == 404


def test_ministry_notice_reaches_every_city_and_unpublishing_removes_it(tenant_schema, tenant_client):
    title = "关于做好2026年中小企业数字化转型试点评估工作的通知"
    with tenant_schema("national"):
        page = _publish(
            _index(),
            title=title,
            date=datetime.date(2026, 11, 20),
            issuer="工业和信息化部办公厅",
            summary="请各试点城市做好年度评估。",
            body="<p>请各试点城市于年底前完成评估。</p>",
            nationwide=True,
        )
    notice = NationwideNotice.objects.get(source__schema_name="national", source_page_id=page.pk)
    for city in ("harbin", "jiangmen"):
        listing = tenant_client(city).get("/notices/").content.decode()
        assert title in listing and 'class="badge national"' in listing
        assert title in tenant_client(city).get("/").content.decode()
        detail = tenant_client(city).get(f"/national-notices/{notice.pk}/").content.decode()
        assert "请各试点城市于年底前完成评估。" in detail and "national.localhost" in detail
    # The national portal lists its own page once, not also its rolled-up copy.
    assert tenant_client("national").get("/notices/").content.decode().count(title) == 1

    # An edit republished reaches the cities; unpublishing removes it everywhere.
    with tenant_schema("national"):
        page.title = title + "（更正）"
        page.save_revision().publish()
    assert "（更正）" in tenant_client("harbin").get("/notices/").content.decode()
    with tenant_schema("national"):
        page.unpublish()
    for city in ("harbin", "jiangmen"):
        assert title not in tenant_client(city).get("/notices/").content.decode()
        assert tenant_client(city).get(f"/national-notices/{notice.pk}/").status_code == 404


def test_seeded_ministry_notices_are_shown_in_cities_labelled_national(tenant_client):
    listing = tenant_client("jiangmen").get("/notices/").content.decode()
    assert MINISTRY_NOTICE in listing and JIANGMEN_NOTICE in listing
    # Newest first across both sources: Jiangmen's 2025-11-10 notice precedes the ministry's 2025-06-18 one.
    assert listing.index("江门市中小企业数字化转型城市试点专项资金实施细则") < listing.index(MINISTRY_NOTICE)


def test_a_city_cannot_publish_nationwide(tenant_schema):
    with tenant_schema("harbin"):
        page = ArticlePage(title="哈尔滨冒充全国通知", slug="fake-nationwide", nationwide=True)
        with pytest.raises(ValidationError) as error:
            page.full_clean()
        assert "本平台不能发布全国性通知" in str(error.value)
        # Even a row flagged behind validation's back (an import, a script) is not rolled up.
        forced = _publish(_index(), title="哈尔滨强行标记全国")
        ArticlePage.objects.filter(pk=forced.pk).update(nationwide=True)
        nationwide_sync(ArticlePage.objects.get(pk=forced.pk))
    assert not NationwideNotice.objects.filter(source__schema_name="harbin", source_page_id=forced.pk).exists()


def test_cities_cannot_edit_nationwide_notices_from_their_cms(tenant_schema):
    from wagtail.models import Page

    notice = NationwideNotice.objects.get(title=MINISTRY_NOTICE)
    # Not a page of any city's tree, so nothing in a city's Wagtail admin can reach or change it.
    for city in ("harbin", "jiangmen"):
        with tenant_schema(city):
            assert not Page.objects.filter(title=notice.title).exists()
    with tenant_schema("national"):
        assert Page.objects.filter(title=notice.title).count() == 1


def test_column_pages_paginate_at_constant_queries_and_search(tenant_schema, tenant_client):
    client = tenant_client("harbin")
    with tenant_schema("harbin"):
        index = _index("news")
        index.per_page = 15
        index.save()
        for number in range(1, 18):
            _publish(index, title=f"哈尔滨新闻第{number:02d}号", date=datetime.date(2026, 1, number))
    client.get("/news/")  # warm per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as first:
        page_one = client.get("/news/").content.decode()
    queries_one = len(first.captured_queries)
    with CaptureQueriesContext(connection) as second:
        page_two = client.get("/news/?page=2").content.decode()
    queries_two = len(second.captured_queries)
    assert "哈尔滨新闻第17号" in page_one and "哈尔滨新闻第03号" in page_one and "哈尔滨新闻第02号" not in page_one
    assert "哈尔滨新闻第02号" in page_two and "哈尔滨新闻第01号" in page_two
    assert queries_one == queries_two  # 15 rows cost what 3 rows (plus the seeded one) cost

    found = client.get("/news/", {"q": "第07号"}).content.decode()
    assert "哈尔滨新闻<mark>第07号</mark>" in found  # the match is highlighted
    found = re.sub(r"<[^>]+>", "", found)  # the text a person reads
    assert "哈尔滨新闻第07号" in found and "哈尔滨新闻第08号" not in found
    # Chinese substrings inside titles and bodies are found (no word boundaries in Chinese).
    found = re.sub(r"<[^>]+>", "", tenant_client("jiangmen").get("/notices/", {"q": "人才培训"}).content.decode())
    assert JIANGMEN_NOTICE in found and "找到 1 条" in found
    found = tenant_client("jiangmen").get("/search/", {"q": "合作证明"}).content.decode()
    assert "关于开展数字化服务商首次申报工作的通知" in found
    # Search is per tenant: Harbin finds nothing of Jiangmen's.
    assert JIANGMEN_NOTICE not in tenant_client("harbin").get("/search/", {"q": "人才培训"}).content.decode()


def test_rich_text_is_sanitised_on_every_path(tenant_schema, tenant_client):
    hostile = (
        '<p>正文<script>alert("x")</script></p><p onmouseover="alert(1)">悬停</p>'
        '<a href="javascript:alert(1)">链接</a><img src=x onerror="alert(1)"><iframe src="//evil"></iframe>'
    )
    with tenant_schema("national"):
        page = _publish(_index(), title="含恶意脚本的通知", body=hostile, nationwide=True)
        stored = ArticlePage.objects.get(pk=page.pk).body
    assert "<script" not in stored and "onmouseover" not in stored and "javascript:" not in stored
    assert "正文" in stored and "悬停" in stored
    html = tenant_client("national").get(_path(page)).content.decode()
    notice = NationwideNotice.objects.get(source_page_id=page.pk, source__schema_name="national")
    city = tenant_client("harbin").get(f"/national-notices/{notice.pk}/").content.decode()
    for rendered in (html, city, notice.body):
        assert 'alert("x")' not in rendered and "onerror" not in rendered and "<iframe" not in rendered
        assert "javascript:" not in rendered and "onmouseover" not in rendered
    assert "正文" in city


def test_faq_answers_are_sanitised_and_rendered(tenant_schema, tenant_client):
    from cms.models import FaqPage

    with tenant_schema("jiangmen"):
        faq = FaqPage.objects.get()
        faq.items = [{"type": "qa", "value": {"question": "测试问题？", "answer": "<p>答<script>bad()</script></p>"}}]
        faq.save_revision().publish()
    html = tenant_client("jiangmen").get("/faq/").content.decode()
    assert "测试问题？" in html and "bad()" not in html


def test_portal_api_lists_columns_articles_and_details(tenant_client, tenant_schema):
    client = tenant_client("jiangmen")
    columns = client.get("/api/v1/portal/columns/").json()
    assert [c["column"] for c in columns] == ["notices", "policy_news", "news", "sme", "interpretations"]
    feed = client.get("/api/v1/portal/articles/", {"column": "notices"}).json()
    titles = [item["title"] for item in feed["results"]]
    assert JIANGMEN_NOTICE in titles and MINISTRY_NOTICE in titles
    assert next(i for i in feed["results"] if i["title"] == MINISTRY_NOTICE)["nationwide"] is True
    assert client.get("/api/v1/portal/articles/", {"column": "nope"}).json()["errors"] == {"column": ["没有这个栏目。"]}
    assert client.get("/api/v1/portal/articles/", {"q": "人才培训"}).json()["count"] == 1

    with tenant_schema("jiangmen"):
        own = ArticlePage.objects.get(title=JIANGMEN_NOTICE).pk
    detail = client.get(f"/api/v1/portal/articles/{own}/").json()
    assert detail["title"] == JIANGMEN_NOTICE and "<p>" in detail["body"]
    # Ids are per tenant: the same id on Harbin's host is Harbin's page or nothing, never Jiangmen's.
    other = tenant_client("harbin").get(f"/api/v1/portal/articles/{own}/")
    assert other.status_code == 404 or other.json()["title"] != JIANGMEN_NOTICE

    notice = NationwideNotice.objects.get(title=MINISTRY_NOTICE)
    national = client.get(f"/api/v1/portal/national-notices/{notice.pk}/").json()
    assert national["source"] == "国家中小企业数字化转型公共服务平台" and national["source_url"].startswith("http")


def test_portal_api_is_in_the_tenant_api_schema(tenant_client):
    schema = tenant_client("harbin").get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/portal/articles/" in schema and "/api/v1/portal/national-notices/{id}/" in schema


def test_unpublished_and_draft_pages_are_not_served(tenant_schema, tenant_client):
    with tenant_schema("harbin"):
        draft = _index().add_child(instance=ArticlePage(title="哈尔滨未发布草稿", live=False))
    assert "哈尔滨未发布草稿" not in tenant_client("harbin").get("/notices/").content.decode()
    assert tenant_client("harbin").get(f"/api/v1/portal/articles/{draft.pk}/").status_code == 404


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
    b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
    b"startxref\n162\n%%EOF\n"
)  # one blank page: uploads are parsed (tenants/uploads.py)


def test_article_attachments_are_listed_and_downloadable(tenant_schema, tenant_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from cms.models import ArticleAttachment

    with tenant_schema("jiangmen"):
        document = Document.objects.create(title="专项资金实施细则全文", file=ContentFile(PDF, name="rules.pdf"))
        page = _publish(_index(), title="带附件的江门通知", date=datetime.date(2026, 11, 1))
        ArticleAttachment.objects.create(page=page, document=document, title="实施细则（PDF）")
        url = document.url
    html = tenant_client("jiangmen").get(_path(page)).content.decode()
    assert "实施细则（PDF）" in html and f'href="{url}"' in html and "2026-11-01" in html
    download = tenant_client("jiangmen").get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # Documents are per tenant: the same path on Harbin's host is not Jiangmen's file.
    other = tenant_client("harbin").get(url)
    assert other.status_code == 404 or b"".join(other.streaming_content) != PDF


def test_cms_document_uploads_are_checked_by_content(login_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    editor = login_client("harbin", "hrb_editor")
    fake = SimpleUploadedFile("notice.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    response = editor.post("/cms/documents/add/", {"title": "伪装的PDF", "file": fake, "collection": "1"})
    assert response.status_code == 200 and "按文件内容识别" in response.content.decode()
    real = SimpleUploadedFile("notice.bin", PDF, content_type="application/octet-stream")
    response = editor.post("/cms/documents/add/", {"title": "真实的PDF", "file": real, "collection": "1"})
    assert response.status_code == 302


def test_turning_off_nationwide_publishing_withdraws_the_notices(tenant_schema, tenant_client):
    from cms.services import nationwide_rebuild
    from tenants.models import Tenant

    national = Tenant.objects.get(schema_name="national")
    national.publishes_nationwide = False
    national.save()
    with tenant_schema("national"):
        nationwide_rebuild()
    assert not NationwideNotice.objects.filter(source=national).exists()
    assert MINISTRY_NOTICE not in tenant_client("harbin").get("/notices/").content.decode()
    connection.set_schema_to_public()
    national.publishes_nationwide = True
    national.save()
    with tenant_schema("national"):
        assert nationwide_rebuild() == 2
    assert MINISTRY_NOTICE in tenant_client("harbin").get("/notices/").content.decode()


def test_workbench_shows_the_latest_notices_with_nationwide_ones(login_client):
    html = login_client("harbin", "hrb_enterprise").get("/workbench/").content.decode()
    announcements = html[html.index('id="announcements"') :]
    assert HARBIN_NOTICE in announcements or "关于组织开展试点项目验收和资金申请工作的通知" in announcements
    assert "关于填报推荐试点企业需求调研表的通知" in announcements and "badge national" in announcements


def test_the_notices_module_entry_opens_the_notices_column(tenant_client):
    response = tenant_client("harbin").get("/m/notices/")
    assert response.status_code == 302 and response["Location"] == "/notices/"


def test_previews_of_unsaved_rich_text_render_sanitised():
    from wagtail.rich_text import RichText

    from cms.templatetags.cms_tags import clean_richtext

    html = str(clean_richtext(RichText('<p>预览<script>steal()</script><img src=x onerror="steal()"></p>')))
    assert "预览" in html and "steal()" not in html
