"""What the certification kind brings to the review engine: its re-edit page and what reviewers read."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.certification.selectors import KIND, certification_request_of
from tenant_apps.workflow.registry import Section, register_content, register_edit_url, register_kind


def edit_url(application) -> str:
    """Harbin-style certification forms are re-edited in 我的企业; data collected at registration in the profile."""
    return reverse("my-enterprise") if certification_request_of(application) else reverse("register-profile")


def content(application) -> list[Section]:
    request = certification_request_of(application)
    if request is not None:
        rows = [
            (_("企业名称"), request.company_name),
            (_("统一社会信用代码"), request.uscc),
            (_("所属行业"), str(request.industry)),
            (_("成立时间"), str(request.founded_on)),
            (_("注册资本（万元）"), str(request.registered_capital)),
            (_("员工人数"), str(request.headcount)),
            (_("联系人"), f"{request.contact_name} {request.contact_phone} {request.email}"),
            (_("地址"), f"{request.region} {request.address}"),
            (_("企业网址"), request.website),
            (_("企业简介"), request.introduction),
        ]
        return [Section(_("申请内容"), rows)]
    organisation = application.organisation
    if organisation is None:
        return []
    rows = [
        (_("单位名称"), organisation.name),
        (_("统一社会信用代码"), organisation.uscc or ""),
        (_("所属行业"), str(organisation.industry or "")),
        (_("地址"), f"{organisation.region} {organisation.address}".strip()),
        (_("联系人"), f"{organisation.contact_name} {organisation.contact_mobile} {organisation.email}".strip()),
    ]
    return [Section(_("申请内容"), rows)]


def register() -> None:
    register_kind(KIND, gettext_lazy("企业认证"))
    register_edit_url(KIND, edit_url)
    register_content(KIND, content)
