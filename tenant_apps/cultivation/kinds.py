"""What cultivation registers with the review engine (called from the AppConfig's ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DECLARATION = "cultivation_declaration"
UPDATE = "cultivation_update"
CHANGE = "cultivation_change"
REREVIEW = "cultivation_rereview"


def register() -> None:
    from tenant_apps.workflow import registry

    registry.register_kind(DECLARATION, _("优质中小企业认定申报"))
    registry.register_kind(UPDATE, _("企业信息年度更新"))
    registry.register_kind(CHANGE, _("重大变更"))
    registry.register_kind(REREVIEW, _("到期复核"))

    from tenant_apps.cultivation.declarations import send_back_refusal
    from tenant_apps.cultivation.recognitions import declaration_outcome

    registry.on_outcome(DECLARATION)(declaration_outcome)
    registry.register_decision_guard(DECLARATION, send_back_refusal)
    from tenant_apps.cultivation import declaration_kinds

    declaration_kinds.register()  # the reviewers' content and the edit page of declarations
    from tenant_apps.cultivation import enterprise_kinds

    enterprise_kinds.register()  # the annual update, major changes and re-reviews: outcomes, edit pages, content
