"""Where the city sits in the national programme, for the console's filters: its province and its batch.

The tenant registry has neither, and a city's name rarely carries its province (哈尔滨市, 江门市), so the province
is read from data the city already holds: the province most of its organisations registered in
(`Organisation.region`, e.g. 黑龙江省哈尔滨市), else one named in its authority or platform name. The batch is the
first year of the pilot period (2024). Registered with `shared_apps.oversight.services.register_figures`."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

# The provincial-level divisions (GB/T 2260), as they begin a registered place.
PROVINCES = (
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区", "台湾省", "香港特别行政区", "澳门特别行政区",
)  # fmt: skip


def province_of(text: str) -> str:
    """The province a place or a name begins with or mentions ('' if none)."""
    text = text or ""
    for province in PROVINCES:
        if text.startswith(province) or province in text:
            return province
    return ""


def console_figures() -> dict:
    from tenant_apps.configuration.models import TenantSettings
    from tenant_apps.organisations.models import Organisation

    places = Counter()
    for region, n in Organisation.objects.exclude(region="").values_list("region").annotate(n=Count("id")).order_by():
        province = province_of(region)
        if province:
            places[province] += n
    settings = TenantSettings.objects.filter(pk=1).only("authority_name", "display_name", "pilot_start").first()
    province = places.most_common(1)[0][0] if places else ""
    if not province and settings is not None:
        province = province_of(settings.authority_name) or province_of(settings.display_name)
    batch = str(settings.pilot_start.year) if settings is not None and settings.pilot_start else ""
    return {"province": province, "batch": batch}
