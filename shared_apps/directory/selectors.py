"""Fuzzy company lookup. The embedded PostgreSQL has no pg_trgm, so matching is by substring, then by the
typed characters appearing in order ("江门数字" finds "江门示例数字科技有限公司")."""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Length

from shared_apps.directory.models import CompanyRecord

NOISE = re.compile(r"[\s()（）·,，.。\x00]+")  # NUL too: PostgreSQL text cannot hold it


def company_lookup(query: str, *, limit: int = 8) -> list[CompanyRecord]:
    query = NOISE.sub("", query or "")
    if len(query) < 2:
        return []
    subsequence = ".*".join(re.escape(char) for char in query)
    return list(
        CompanyRecord.objects.filter(name__regex=subsequence)
        .annotate(
            rank=Case(
                When(name__startswith=query, then=Value(0)),
                When(name__contains=query, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", Length("name"), "name")[:limit]
    )
