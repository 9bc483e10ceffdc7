"""Harbin: an enterprise hands in the stamped admission form at its upload stage, in real Chromium. A non-PDF named
.pdf is refused by the server's content check and the refusal appears on the field, the page kept as it was; the
real PDF then goes up with a progress bar that reaches 100 %, and the log and the timeline show the upload.

The application is built on a connection of its own (committed), so the live server sees it."""

import io

import pytest
from PIL import Image
from pypdf import PdfWriter

from tests.browser.test_identity_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME = "browser_upload_ent"
TITLE = "浏览器上传测试企业 试点企业入库申请"

# Reports what the upload control shows each time it changes (value of the bar, text beside it), so the test sees
# the progress a person sees even though the page is replaced by the server's answer right after.
WATCH_PROGRESS = """
new MutationObserver(() => {
  const box = document.querySelector('#upload .upload-progress');
  if (!box || box.hidden) { return; }
  window.reportUpload(box.querySelector('progress').value, box.querySelector('.upload-percent').textContent);
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true,
                      attributeFilter: ['value', 'hidden']});
"""


def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_named_pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _application_at_the_upload_stage(title: str = TITLE) -> int:
    """A certified enterprise of its own whose admission the bureau has passed: it waits for the stamped form."""
    from django.contrib.auth.hashers import make_password

    from tenant_apps.organisations.models import Membership
    from tenant_apps.organisations.services import demo_accounts_seed
    from tenant_apps.workflow import services
    from tenant_apps.workflow.models import Task
    from tenants.services import DEMO_PASSWORD

    (membership,) = demo_accounts_seed(
        [
            {
                "username": USERNAME,
                "mobile": "13955551107",
                "roles": ["enterprise"],
                "organisation": {"kind": "enterprise", "name": "浏览器上传测试企业"},
            }
        ],
        password_hash=make_password(DEMO_PASSWORD),
    )
    application = services.application_create(
        kind="admission", applicant=membership.user, title=title, organisation=membership.organisation
    )
    application = services.application_submit(application=application, actor=membership.user)
    task = application.tasks.get(state=Task.State.OPEN)
    bureau = Membership.objects.get(user__username="hrb_bureau")
    application = services.task_decide(task_id=task.pk, membership=bureau, action="approve")
    assert application.tasks.get(state=Task.State.OPEN).handler == "applicant_upload"
    return application.pk


def test_stamped_form_is_refused_on_the_field_then_uploaded_with_progress(page, live_url, settings, tmp_path):
    from tests.threads import in_thread

    settings.MEDIA_ROOT = tmp_path
    thread, outcome = in_thread(_application_at_the_upload_stage, schema="harbin")
    thread.join()
    assert "error" not in outcome, outcome
    harbin = live_url("harbin")
    seen: list[tuple[float, str]] = []
    page.expose_function("reportUpload", lambda value, text: seen.append((value, text)))
    page.add_init_script(WATCH_PROGRESS)

    sign_in(page, harbin, USERNAME)
    page.goto(harbin + "/workbench/inbox/")  # 待我处理 opens first: the upload is the enterprise's task
    page.locator("tr", has_text=TITLE).locator("text=详情").click()
    page.wait_for_url(f"**/workbench/applications/{outcome['value']}/")
    address = page.url
    field = page.locator('#upload [data-field="file"]')
    assert field.locator(".upload-hint").inner_text() == "支持 PDF 格式，单个文件不超过 100 MB"
    assert field.locator(".upload-progress").is_hidden()  # shown only while a file goes up

    # A PNG renamed to .pdf: the server reads the content and refuses it on the field; the page stays.
    page.evaluate("() => { document.body.dataset.samePage = 'yes'; }")
    page.set_input_files(
        "#id_file", files=[{"name": "盖章件.pdf", "mimeType": "application/pdf", "buffer": png_named_pdf()}]
    )
    with page.expect_response(lambda r: r.request.method == "POST" and r.url == address) as refused:
        page.click("#upload button[type=submit]")
    assert refused.value.status == 400 and refused.value.request.resource_type == "xhr"
    error = page.locator('#upload [data-field="file"].has-error .field-error')
    error.wait_for()
    assert error.inner_text() == "请上传 PDF 格式的扫描件。"
    assert page.evaluate("() => document.body.dataset.samePage") == "yes" and page.url == address
    assert page.locator("#upload button[type=submit]").is_enabled()
    assert page.evaluate("() => document.activeElement.id") == "id_file"  # ready for the next file
    assert "上传材料" not in page.locator("#work-order-log").inner_text()

    # The real scan: the bar follows the bytes to 100 %, then the server's page shows the upload.
    seen.clear()
    page.set_input_files(
        "#id_file", files=[{"name": "盖章申报表.pdf", "mimeType": "application/pdf", "buffer": one_page_pdf()}]
    )
    with page.expect_response(lambda r: r.request.method == "POST" and r.url == address) as accepted:
        page.click("#upload button[type=submit]")
    assert accepted.value.status == 302 and accepted.value.request.resource_type == "xhr"
    page.locator(".toast", has_text="已上传，进入下一环节。").wait_for()
    assert seen and seen[-1][0] == 100 and seen[-1][1].startswith("已上传 100%"), seen
    assert [value for value, _text in seen] == sorted(value for value, _text in seen)  # never goes back
    log = page.locator("#work-order-log").inner_text()
    assert "上传材料" in log and "盖章申报表.pdf" in log
    timeline = page.locator("#timeline")
    assert USERNAME in timeline.locator("li", has_text="上传盖章申报表").inner_text()  # done, by the applicant
    current = timeline.locator("li", has_text="盖章件审核").inner_text()
    assert "审核中" in current
    assert "盖章申报表.pdf" in page.locator("#attachments").inner_text()
    assert page.locator("#upload").count() == 0  # the stage is done: nothing more to upload


def test_without_javascript_the_plain_form_post_uploads(browser, live_url, settings, tmp_path):
    from tests.threads import in_thread

    settings.MEDIA_ROOT = tmp_path
    title = "浏览器上传测试企业 无脚本上传"
    thread, outcome = in_thread(lambda: _application_at_the_upload_stage(title), schema="harbin")
    thread.join()
    assert "error" not in outcome, outcome
    harbin = live_url("harbin")
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, harbin, USERNAME)
    address = f"{harbin}/workbench/applications/{outcome['value']}/"
    page.goto(address)
    assert page.locator('#upload [data-field="file"] .upload-hint').is_visible()
    page.set_input_files(
        "#id_file", files=[{"name": "无脚本.pdf", "mimeType": "application/pdf", "buffer": one_page_pdf()}]
    )
    with page.expect_response(lambda r: r.request.method == "POST" and r.url == address) as answer:
        page.click("#upload button[type=submit]")
    assert answer.value.status == 302 and answer.value.request.resource_type == "document"
    page.wait_for_url(address)
    assert "无脚本.pdf" in page.locator("#attachments").inner_text()
    assert "上传材料" in page.locator("#work-order-log").inner_text()
    context.close()
