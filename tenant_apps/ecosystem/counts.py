"""The one way the ecosystem counts rows per row of another list (members and pooled products per anchor unit, a
member's pooled products, declarations and products per unit): a correlated COUNT subquery, so no join multiplies
the outer rows and nothing needs DISTINCT (docs/conventions.md)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, Subquery
from django.db.models.functions import Coalesce


def correlated_count(queryset, group: str):
    """How many rows of `queryset` (filtered on `OuterRef`s) belong to the outer row, grouped by `group` (the column
    the filter pins to the outer row); 0 where none."""
    return Coalesce(
        Subquery(queryset.order_by().values(group).annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        0,
    )
