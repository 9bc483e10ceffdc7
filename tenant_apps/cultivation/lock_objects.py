"""The cultivation module's locks, the only place it calls `select_for_update`. Order, after the engine's
(membership → application → tasks): organisation → enterprise info → recognition → questionnaire versions.

- `declaration_start` locks the organisation so two starts of one tier queue (one live declaration per tier) before
  the engine application is inserted;
- outcome handlers run inside the engine's transaction (application → task) and lock what they write: the info
  (annual update, 注册地 / 主营业务 changes), the organisation (name / USCC changes — an outcome locks one of the two,
  never both), the recognition (re-review renewal; revocation starts from it);
- loading a questionnaire version locks the sector's versions so two loads number distinct versions."""

from __future__ import annotations

from tenant_apps.cultivation.models import EnterpriseInfo, Questionnaire, Recognition
from tenant_apps.organisations.models import Organisation


def organisation_lock(pk: int) -> Organisation | None:
    return Organisation.objects.select_for_update(of=("self",)).filter(pk=pk).first()


def info_lock(organisation_id: int) -> EnterpriseInfo | None:
    return EnterpriseInfo.objects.select_for_update(of=("self",)).filter(organisation_id=organisation_id).first()


def recognition_lock(pk: int) -> Recognition | None:
    return Recognition.objects.select_for_update(of=("self",)).select_related("tier").filter(pk=pk).first()


def latest_questionnaire_lock(sector: str) -> Questionnaire | None:
    return Questionnaire.objects.select_for_update().filter(sector=sector).order_by("-version").first()
