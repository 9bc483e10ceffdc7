"""`provision_tenant --from cities.csv`: one city per row like the console creates it, existing cities skipped,
bad rows reported by line while the others go on, exit status 1 when a row failed; and every clone retires its
PostgreSQL backend so provisioning stays flat (docs/provisioning.md)."""

import io

import pytest
from django.core.management import CommandError, call_command

from tenants.models import AdminInvitation, Tenant, backend_retire
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db

HEADER = "schema_name,name,preset,authority,pilot_start,pilot_end,admin_name,admin_mobile\n"


def _run(tmp_path, rows: str):
    path = tmp_path / "cities.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("provision_tenant", "--from", str(path), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), None


def test_a_file_of_cities_creates_the_new_skips_the_existing_and_reports_bad_rows(tmp_path):
    out, err, failure = _run(
        tmp_path,
        "daqing,大庆市中小企业数字化转型城市试点,harbin,大庆市工业和信息化局,2025-01-01,2027-12-31,王强,13900000017\n"
        "harbin,哈尔滨市,harbin,哈尔滨市工业和信息化局,2025-01-01,2027-12-31,李明,13900000018\n"
        "1bad,坏行,nosuchpreset,某局,2025-13-01,2027-12-31,赵六,123\n",
    )
    assert "第 2 行 daqing：已开通" in out
    assert "第 3 行 harbin：已存在，跳过" in out
    assert "第 4 行 1bad：" in err
    for message in ("子域名（标识）", "预设", "试点期开始", "城市管理员手机号"):
        assert message in err
    assert "开通 1 个，跳过 1 个（已存在），失败 1 个" in out
    assert failure and "1 行未能开通" in failure  # exit status 1

    daqing = Tenant.objects.get(schema_name="daqing")
    assert (daqing.name, daqing.preset) == ("大庆市中小企业数字化转型城市试点", "harbin")
    assert AdminInvitation.objects.filter(tenant=daqing, user__mobile="13900000017").count() == 1

    # Run again after fixing nothing: resumable and idempotent, the created city is skipped, not updated.
    out, err, failure = _run(
        tmp_path,
        "daqing,另一个名字,harbin,大庆市工业和信息化局,2025-01-01,2027-12-31,王强,13900000017\n",
    )
    assert "第 2 行 daqing：已存在，跳过" in out and failure is None and err == ""
    assert Tenant.objects.get(schema_name="daqing").name == "大庆市中小企业数字化转型城市试点"
    assert AdminInvitation.objects.filter(tenant=daqing).count() == 1


def test_a_file_without_the_columns_is_refused_before_any_city(tmp_path):
    path = tmp_path / "cities.csv"
    path.write_text("schema_name,name\nqiqihar,齐齐哈尔\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列 preset, authority"):
        call_command("provision_tenant", "--from", str(path), stdout=io.StringIO())
    assert not Tenant.objects.filter(schema_name="qiqihar").exists()


def test_a_clone_retires_its_backend_when_its_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        tenant_provision("jiangmen", schema_name="zhaoqing", name="肇庆市中小企业数字化转型城市试点")
    assert backend_retire in callbacks
    with django_capture_on_commit_callbacks() as callbacks:
        tenant_provision("jiangmen", schema_name="zhaoqing", name="肇庆市中小企业数字化转型城市试点")
    assert backend_retire not in callbacks  # nothing cloned: the backend stays
