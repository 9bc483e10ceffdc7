"""The UI kit's tags (ui/templatetags/ui.py): status tags coloured per state and labelled in Chinese, pagination
with totals and page sizes, tables with their empty state and phone labels, search highlighting, and kinds and
states shown by their Chinese names on real pages — never as codes (issue 11)."""

import re

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory

from shared_apps.ui.pagination import page_window, paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.organisations.models import Organisation
from tenant_apps.workflow.models import Application

pytestmark = pytest.mark.django_db


def render(source: str, path: str = "/list/", **context) -> str:
    request = RequestFactory().get(path)
    return Template("{% load ui %}" + source).render(RequestContext(request, context))


@pytest.mark.parametrize(
    ("state", "label", "tone"),
    [
        ("draft", "草稿", "info"),
        ("in_review", "审核中", "primary"),
        ("returned", "已退回", "warning"),
        ("approved", "已通过", "success"),
        ("rejected", "已驳回", "danger"),
        ("withdrawn", "已撤销", "info"),
    ],
)
def test_status_tag_colours_each_application_state_and_labels_it_in_chinese(state, label, tone):
    html = render("{% status_tag application %}", application=Application(state=state))
    assert html == f'<span class="tag tag-{tone}" data-state="{state}">{label}</span>'


@pytest.mark.parametrize(
    ("certification", "label", "tone"),
    [("pending", "认证审核中", "primary"), ("returned", "已退回修改", "warning"), ("certified", "已认证", "success")],
)
def test_status_tag_reads_any_choice_field(certification, label, tone):
    html = render('{% status_tag org field="certification" %}', org=Organisation(certification=certification))
    assert f'class="tag tag-{tone}"' in html and f">{label}<" in html


def test_a_bare_code_needs_its_label_and_is_never_shown_itself():
    assert render('{% status_tag "in_review" "审核中" %}').endswith(">审核中</span>")
    assert ">in_review<" not in render('{% status_tag "in_review" %}')  # no label given: a dash, not the code
    assert 'class="tag tag-danger"' in render('{% status_tag "x" "自定义" tone="danger" %}')


def _page(path: str, count: int = 45):
    return paginate(RequestFactory().get(path), list(range(count)))


def test_pagination_shows_the_total_the_position_and_keeps_the_filters():
    page = _page("/list/?name=甲&size=10&page=2")
    assert page.number == 2 and len(page.object_list) == 10
    html = render("{% pagination page %}", path="/list/?name=甲&size=10&page=2", page=page)
    assert "共 45 条" in html and "2/5" in html
    nxt = re.search(r'<a class="pagination-next" href="([^"]+)" rel="next"', html).group(1)
    assert "page=3" in nxt and "size=10" in nxt and "name=" in nxt  # the filters and the size survive paging
    # The size choice keeps the other parameters but starts again from page 1.
    assert '<input type="hidden" name="name" value="甲">' in html
    assert 'name="page"' not in html.split('class="pagination-sizes"')[1].split("</form>")[0]
    assert '<option value="10" selected>10 条/页</option>' in html


@pytest.mark.parametrize("size", ["7", "100000", "abc", "-5"])
def test_a_page_size_not_offered_falls_back_to_the_default(size):
    page = _page(f"/list/?size={size}")
    assert page.size == 20 and len(page.object_list) == 20


def test_pagination_of_one_page_shows_only_the_total_and_of_nothing_nothing():
    assert "共 3 条" in render("{% pagination page %}", page=_page("/list/", 3))
    assert "pagination-next" not in render("{% pagination page %}", page=_page("/list/", 3))
    assert render("{% pagination page %}", page=_page("/list/", 0)).strip() == ""


def test_page_window_elides_the_middle():
    page = _page("/list/?page=10&size=10", 200)
    assert page_window(page) == [1, None, 8, 9, 10, 11, 12, None, 20]


TABLE = Table(
    columns=(
        Column("名称", "name", primary=True, wrap=True),
        Column("状态", lambda row: row["state"], width="6em"),
        Column("日期", "when", format="date"),
    ),
    empty="暂无申请。",
    row_attrs=lambda row: {"data-row": row["name"]},
)


def test_table_empty_state_spans_every_column():
    html = render('{% data_table rows table id="t" %}', rows=[], table=TABLE)
    assert '<td colspan="3" class="empty">' in html and "暂无申请。" in html and 'class="empty-state"' in html
    assert render('{% data_table rows table empty="没有" %}', rows=[], table=TABLE).count("没有") == 1


def test_table_cells_carry_their_labels_for_phones_and_never_wrap_short_values():
    import datetime

    rows = [{"name": '<img src=x onerror="1">', "state": "审核中", "when": datetime.date(2026, 3, 4)}]
    html = render('{% data_table rows table id="t" %}', rows=rows, table=TABLE)
    assert '<td data-label="状态" class="cell-nowrap">审核中</td>' in html
    assert '<td data-label="日期" class="cell-nowrap">2026-03-04</td>' in html
    assert 'class="cell-wrap cell-primary"' in html  # only the long title may wrap
    assert '<col style="width: 6em">' in html
    assert "<img" not in html and 'data-row="&lt;img src=x onerror=&quot;1&quot;&gt;"' in html  # escaped


def test_highlight_marks_matches_and_escapes_the_rest():
    html = render("{{ text|highlight:q }}", text="<b>数字化</b>转型 数字", q="数字")
    assert html == "&lt;b&gt;<mark>数字</mark>化&lt;/b&gt;转型 <mark>数字</mark>"
    assert render("{{ text|highlight:q }}", text="A<b>", q="").strip() == "A&lt;b&gt;"
    assert (
        render("{{ text|highlight:q }}", text="Policy policy", q="POLICY") == "<mark>Policy</mark> <mark>policy</mark>"
    )


def test_steps_timeline_and_descriptions():
    html = render("{% steps 2 a b c %}", a="账号信息", b="组织档案", c="完成")
    assert re.findall(r'class="step is-(\w+)', html) == ["done", "active", "waiting"]
    assert 'aria-current="step"' in html
    items = [
        {"title": "初审", "state": "approve", "label": "通过"},
        {"title": "复审", "state": "current", "label": "审核中"},
    ]
    html = render("{% timeline items %}", items=items)
    assert "is-success" in html and "is-primary" in html and "通过" in html
    html = render("{% descriptions rows %}", rows=[("名称", "甲公司"), ("网址", "")])
    assert "<dd>甲公司</dd>" in html and "<dd>—</dd>" in html


def test_active_menu_item_is_the_longest_match():
    from tenant_apps.portal.selectors import MenuGroup, MenuItem

    groups = [
        MenuGroup(
            "work",
            "工作台",
            (
                MenuItem("home", "首页", "/workbench/"),
                MenuItem("inbox", "我的待办", "/workbench/inbox/", also=("/workbench/applications/",)),
            ),
        ),
    ]
    assert render("{{ groups|active_url:'/workbench/' }}", groups=groups) == "/workbench/"
    assert render("{{ groups|active_url:'/workbench/inbox/' }}", groups=groups) == "/workbench/inbox/"
    assert render("{{ groups|active_url:'/workbench/applications/7/' }}", groups=groups) == "/workbench/inbox/"


def test_kinds_show_the_citys_name_never_the_code(login_client, tenant_schema):
    from tenant_apps.workflow.models import Flow

    with tenant_schema("harbin"):
        name = Flow.objects.get(kind="certification").name
        assert Application(kind="certification").get_kind_display() == name
        assert Application(kind="no_such_kind").get_kind_display() == "其他申请"
    html = login_client("harbin", "hrb_bureau").get("/workbench/inbox/").content.decode()
    kinds = re.findall(r'<td data-label="类型" class="cell-nowrap cell-kind">([^<]*)</td>', html)
    assert kinds and all(kind and kind.isascii() is False for kind in kinds), kinds
    assert ">certification<" not in html and ">in_review<" not in html


def test_states_show_as_coloured_tags_on_the_applicants_pages(login_client):
    html = login_client("jiangmen", "jm_returned").get("/workbench/inbox/?tab=mine").content.decode()
    assert '<span class="tag tag-warning" data-state="returned">已退回</span>' in html
    assert ">returned<" not in html


def test_an_enterprise_is_not_shown_awaiting_my_approval(login_client):
    enterprise = login_client("harbin", "hrb_pending").get("/workbench/").content.decode()
    assert "待我审批" not in enterprise and 'id="mine-count"' in enterprise
    reviewer = login_client("harbin", "hrb_bureau").get("/workbench/").content.decode()
    assert 'id="awaiting-count"' in reviewer
    # The inbox opens on 我的申请 for an applicant without tasks, on 待我审批 for a reviewer.
    assert 'id="my-applications"' in login_client("harbin", "hrb_pending").get("/workbench/inbox/").content.decode()
    assert 'id="tasks"' in login_client("harbin", "hrb_bureau").get("/workbench/inbox/").content.decode()


def test_registration_form_has_the_prefix_the_refreshable_captcha_and_the_agreement_last(tenant_client):
    html = tenant_client("harbin").get("/register/").content.decode()
    assert '<span class="input-prefix" aria-hidden="true">+86</span>' in html
    assert 'data-captcha-refresh="/captcha/refresh/"' in html and 'alt="图形验证码"' in html
    fields = re.findall(r'data-field="([a-z_0-9]+)"', html)
    assert fields[-1] == "agree"  # the agreement checkbox comes last, its label beside it
    agree = html[html.index('data-field="agree"') :]
    assert agree.index('type="checkbox"') < agree.index("我已阅读并同意")


def test_the_captcha_refresh_url_answers_a_new_picture(tenant_client):
    response = tenant_client("harbin").get("/captcha/refresh/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    body = response.json()
    assert response.status_code == 200 and body["key"] and body["image_url"].startswith("/captcha/image/")


@pytest.mark.parametrize("schema", ["harbin", None])
def test_every_host_links_the_favicon_and_answers_errors_in_chinese(settings, tenant_client, schema):
    settings.DEBUG = False
    html = tenant_client(schema).get("/no-such-page/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html and "页面不存在" in html and "返回首页" in html


def test_the_500_page_is_chinese_and_needs_no_request(settings):
    from django.template.loader import get_template

    html = get_template("500.html").render({})
    assert "服务暂时不可用" in html and "favicon.svg" in html and 'lang="zh-CN"' in html


def test_search_highlights_matches_in_the_results(tenant_client):
    html = tenant_client("jiangmen").get("/search/", {"q": "人才培训"}).content.decode()
    assert "<mark>人才培训</mark>" in html


def test_the_console_refuses_in_chinese_on_its_own_host(settings, login_client):
    settings.DEBUG = False
    response = login_client(None, "hrb_enterprise").get("/")
    html = response.content.decode()
    assert response.status_code == 403 and "无权访问" in html and "仅国家中心工作人员可使用控制台" in html


def test_upload_fields_say_which_types_and_how_large():
    from tenant_apps.workflow.forms import UploadForm

    html = str(UploadForm()["file"])
    assert 'accept=".pdf,application/pdf"' in html and 'data-max-bytes="104857600"' in html
    rendered = render('{% include "forms/field.html" with field=form.file %}', form=UploadForm())
    assert "支持 PDF 格式，单个文件不超过 100 MB" in rendered and "<progress" in rendered
