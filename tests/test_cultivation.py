"""梯度培育 — the rules of seed 003 through the services and the engine (issue #16): windows by date and region,
专精特新 needs a self-assessment and the latest counts, the review runs through the county, city and province of
the registered place, only the level holding a declaration decides it and sends it back only inside the window,
the last approval recognises, revocation and lapse, re-review renewal, the lookup, messages once per key."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tenant_apps.configuration.models import Region
from tenant_apps.cultivation import assessments, common, declarations, messages, recognitions
from tenant_apps.cultivation.models import Message, Recognition
from tenant_apps.workflow import policies
from tenant_apps.workflow.models import Application, Task
from tenants.errors import DomainError
from tests import cultivation_factories as f

pytestmark = pytest.mark.django_db

ANSWERS_HIGH = {"q1": "c", "q2": ["erp", "mes"], "q3": "b"}  # 60 + 40 = 100 → level 4
ANSWERS_LOW = {"q1": "b", "q2": ["none"], "q3": "a"}  # 60 × 5/20 = 15 → level 1


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def nat(tenant_schema):
    with tenant_schema(f.NATIONAL):
        yield


def test_the_preset_seeds_regions_tiers_and_level_chains(nat):
    county = f.region(f.COUNTY)
    assert county.path == "330000/330200/330212" and county.ancestor_at("province").name == "浙江省"
    assert [t.code for t in f.tier("innovative").__class__.objects.all()] == [
        "innovative",
        "specialised",
        "little_giant",
    ]
    assert f.tier("specialised").requires_assessment and not f.tier("innovative").requires_assessment
    from tenant_apps.workflow.models import Flow

    stages = Flow.objects.get(kind="cultivation_declaration").stages.order_by("position")
    assert [(s.handler, s.level) for s in stages] == [("region", "county"), ("region", "city"), ("region", "province")]


def test_window_boundaries_last_day_open_day_after_closed(nat):
    member = f.enterprise(1)
    window = f.window("innovative", opens=-30, closes=0)
    today = timezone.localdate()
    assert common.window_is_open(window, today) and not common.window_is_open(window, today + datetime.timedelta(1))
    assert common.window_is_open(window, today - datetime.timedelta(30))
    assert not common.window_is_open(window, today - datetime.timedelta(31))
    declarations.declaration_start(membership=member, tier_code="innovative", window_id=window.pk)
    closed = f.window("innovative", opens=-30, closes=-1)
    with pytest.raises(DomainError) as refused:
        declarations.declaration_start(membership=f.enterprise(2), tier_code="innovative", window_id=closed.pk)
    assert refused.value.code == "cultivation.window_closed"


def test_a_window_of_another_province_offers_no_entry(nat):
    member = f.enterprise(1)
    heilongjiang = f.window("innovative", region_code="230000")
    assert heilongjiang not in declarations.declarable(member.organisation)[0]["windows"]
    with pytest.raises(DomainError) as refused:
        declarations.declaration_start(membership=member, tier_code="innovative", window_id=heilongjiang.pk)
    assert refused.value.code == "cultivation.window_closed"
    ours = f.window("innovative", region_code=f.CITY)
    assert ours in declarations.declarable(member.organisation)[0]["windows"]


def test_specialised_needs_an_assessment_and_the_latest_counts(nat):
    member = f.enterprise(1)
    f.questionnaire()
    window = f.window("specialised")
    row = next(r for r in declarations.declarable(member.organisation) if r["tier"].code == "specialised")
    assert "数字化水平评测" in row["blocked"]
    with pytest.raises(DomainError) as refused:
        declarations.declaration_start(membership=member, tier_code="specialised", window_id=window.pk)
    assert refused.value.code == "cultivation.not_declarable"
    first = assessments.assessment_take(membership=member, answers=ANSWERS_HIGH)
    assert (first.score, first.level) == (100, 4)
    latest = assessments.assessment_take(membership=member, answers=ANSWERS_LOW)
    assert (latest.score, latest.level) == (15, 1)
    declaration = f.declaration(member, "specialised", win=window)
    assert declaration.assessment_id == latest.pk  # the latest, not the best
    assert declaration.application.state == Application.State.IN_REVIEW


def test_innovative_and_specialised_may_be_declared_together(nat):
    member = f.enterprise(1)
    f.questionnaire()
    assessments.assessment_take(membership=member, answers=ANSWERS_HIGH)
    one = f.declaration(member, "innovative")
    two = f.declaration(member, "specialised")
    assert {one.application.state, two.application.state} == {Application.State.IN_REVIEW}
    with pytest.raises(DomainError) as twice:
        f.declaration(member, "innovative")
    assert twice.value.code == "cultivation.not_declarable"


def test_three_levels_of_the_registered_place_review_and_the_last_recognises(nat):
    member = f.enterprise(1)
    county, city, province = f.levels()
    other_county = f.staff("330203")  # 海曙区: same city, another county
    declaration = f.declaration(member)
    application = declaration.application
    task = Task.objects.get(application=application, state="open")
    assert task.region.code == f.COUNTY
    assert policies.may_decide(county, task) and not policies.may_decide(other_county, task)
    assert not policies.may_decide(city, task) and not policies.may_decide(province, task)
    with pytest.raises(DomainError):
        f.decide(application, city)  # not the level holding it
    f.decide(application, county)
    assert Task.objects.get(application=application, state="open").region.code == f.CITY
    f.decide(application, city)
    assert Task.objects.get(application=application, state="open").region.code == f.PROVINCE
    f.decide(application, province)
    recognition = Recognition.objects.get(declaration=declaration)
    today = timezone.localdate()
    assert recognition.status == "active" and recognition.valid_from == today
    assert recognition.valid_to == today.replace(year=today.year + 3) - datetime.timedelta(days=1)
    assert re.fullmatch(rf"CXX{today.year}330000\d{{4}}", recognition.certificate_no)
    assert messages.messages_of(member.organisation, category="recognition").count() == 1
    assert common.is_recognised(member.organisation)


def test_send_back_only_by_the_level_holding_it_and_only_inside_the_window(nat):
    member = f.enterprise(1)
    county, city, _province = f.levels()
    window = f.window("innovative", opens=-10, closes=0)
    declaration = f.declaration(member, win=window)
    with pytest.raises(DomainError):
        f.decide(declaration.application, city, "return", "请补充材料")
    f.decide(declaration.application, county, "return", "请补充研发费用明细")
    declaration.refresh_from_db()
    assert declaration.application.state == Application.State.RETURNED
    assert messages.messages_of(member.organisation, category="declaration").count() == 1
    declarations.declaration_submit(membership=member, declaration=declaration)
    window.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    window.save()
    with pytest.raises(DomainError) as closed:
        f.decide(declaration.application, county, "return", "再补充")
    assert closed.value.code == "workflow.action_closed"
    f.decide(declaration.application, county, "approve")  # approving (or rejecting) stays possible


def test_a_place_outside_a_county_cannot_reach_the_county_stage(nat):
    member = f.enterprise(1, region_code=f.CITY)  # registered at city level only
    with pytest.raises(DomainError) as refused:
        f.declaration(member)
    assert refused.value.code == "workflow.no_region"


def test_revocation_lapse_and_renewal(nat):
    member = f.enterprise(1)
    county, city, province = f.levels()
    declaration = f.declaration(member)
    for level in (county, city, province):
        f.decide(declaration.application, level)
    recognition = Recognition.objects.get(declaration=declaration)
    with pytest.raises(DomainError):
        recognitions.recognition_revoke(membership=province, recognition=recognition, reason=" ")
    recognitions.recognition_revoke(membership=province, recognition=recognition, reason="提供虚假材料")
    recognition.refresh_from_db()
    assert recognition.status == "revoked" and recognition.revoked_reason == "提供虚假材料"
    assert messages.messages_of(member.organisation, category="revocation").count() == 1
    assert not common.is_recognised(member.organisation)
    # Another enterprise's recognition lapses the day after its last day, and a re-review renews it.
    other = f.enterprise(2)
    second = f.declaration(other)
    for level in (county, city, province):
        f.decide(second.application, level)
    lapsing = Recognition.objects.get(declaration=second)
    lapsing.valid_from = timezone.localdate() - datetime.timedelta(days=3 * 365)
    lapsing.valid_to = timezone.localdate() - datetime.timedelta(days=1)
    lapsing.save()
    assert recognitions.recognitions_lapse() == 1
    lapsing.refresh_from_db()
    assert lapsing.status == "expired"
    recognitions.recognition_renew(lapsing)
    lapsing.refresh_from_db()
    assert lapsing.status == "active" and lapsing.valid_to > timezone.localdate()


def test_lookup_needs_the_exact_name_and_uscc(nat):
    member = f.enterprise(1)
    county, city, province = f.levels()
    declaration = f.declaration(member)
    for level in (county, city, province):
        f.decide(declaration.application, level)
    organisation = member.organisation
    found = recognitions.recognitions_matching(name=organisation.name, uscc=organisation.uscc.lower())
    assert [r.tier.code for r in found] == ["innovative"]
    assert recognitions.recognitions_matching(name=organisation.name[:-2], uscc=organisation.uscc) == []
    assert recognitions.recognitions_matching(name=organisation.name, uscc="91330212MA0CU9999X") == []


def test_a_keyed_message_is_created_once(nat):
    organisation = f.enterprise(1).organisation
    kwargs = {"organisation": organisation, "category": Message.Category.EXPIRING, "title": "t", "body": "b"}
    assert messages.message_send(**kwargs, key="expiring:1:90")
    assert not messages.message_send(**kwargs, key="expiring:1:90")
    assert messages.messages_of(organisation).count() == 1


def test_a_draft_is_deleted_with_its_application_a_submitted_one_is_kept(nat):
    member = f.enterprise(1)
    draft = f.declaration(member, submit=False)
    application_id = draft.application_id
    declarations.declaration_delete(membership=member, declaration=draft)
    assert not Application.objects.filter(pk=application_id).exists()
    submitted = f.declaration(member)
    with pytest.raises(DomainError):
        declarations.declaration_delete(membership=member, declaration=submitted)


def test_a_colleague_cannot_delete_the_applicants_draft_declaration_or_change(nat, login_client):
    """Another member of the same enterprise sees the drafts but the engine's applicant check refuses the delete:
    a clear 403 on the page and in the API, never a 500, and nothing is deleted."""
    from django.contrib.auth import get_user_model

    from tenant_apps.cultivation import enterprise
    from tenant_apps.organisations.models import Membership

    member = f.enterprise(1)
    colleague_user = get_user_model().objects.create_user("cul_colleague", mobile="13705749999", password=f.PASSWORD)
    colleague = Membership.objects.create(user=colleague_user, organisation=member.organisation, roles=["enterprise"])
    draft = f.declaration(member, submit=False)
    change = enterprise.change_save(
        membership=member, data={"change_type": "other", "before": "无", "after": "新设子公司", "reason": "扩张"}
    )
    with pytest.raises(DomainError) as refused:
        declarations.declaration_delete(membership=colleague, declaration=draft)
    assert (refused.value.code, refused.value.status) == ("workflow.not_applicant", 403)

    client = login_client(f.NATIONAL, "cul_colleague")
    page = client.post(f"/workbench/cultivation/declarations/{draft.pk}/delete/")
    assert page.status_code == 403 and "只有申请人可以删除" in page.content.decode()
    api = client.delete(f"/api/v1/cultivation/changes/{change.pk}/")
    assert api.status_code == 403 and api.json()["code"] == "workflow.not_applicant"
    assert Application.objects.filter(pk=draft.application_id).exists()
    assert Application.objects.filter(pk=change.application_id).exists()

    declarations.declaration_delete(membership=member, declaration=draft)  # the applicant still can
    assert not Application.objects.filter(pk=draft.application_id).exists()


def test_region_paths_follow_their_parents(nat):
    county = Region.objects.create(code="330206", name="北仑区", level="county", parent=f.region(f.CITY))
    assert county.path == "330000/330200/330206" and county.full_name == "浙江省宁波市北仑区"


def test_the_tenant_admin_edits_a_tiers_form_and_bad_indicators_are_named(nat, login_client):
    from tenant_apps.cultivation.models import Tier

    client = login_client(f.NATIONAL, "nat_admin")
    tier = f.tier("innovative")
    url = f"/django-admin/cultivation/tier/{tier.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "name": tier.name,
        "requires_assessment": "",
        "valid_years": "3",
        "indicators": '[{"code": "growth", "label": "成长性", "kind": "choice"}]',
        "position": "0",
        "is_active": "on",
    }
    answer = client.post(url, form)
    assert answer.status_code == 200 and "须给出 choices" in answer.content.decode()
    form["indicators"] = '[{"code": "growth", "label": "成长性", "kind": "textarea", "max_length": 300}]'
    assert client.post(url, form).status_code == 302
    assert [i["code"] for i in Tier.objects.get(pk=tier.pk).indicators] == ["growth"]
