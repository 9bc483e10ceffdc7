"""One way to page a list: `paginate(request, queryset)` reads `page` and `size` from the query string; the
`{% pagination page %}` tag shows the total, the pages and the page-size choice while keeping the other filters.

Very long lists (tens of thousands of open tasks) pass `rows=` and `count_cap=` (`KeyedPaginator`): the pager
counts and skips over the bare queryset's ids only, stops counting at the cap ("10000+"), and loads the page's
rows by id."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


def page_size(request, default: int = DEFAULT_PAGE_SIZE, sizes: tuple[int, ...] = PAGE_SIZES) -> int:
    """The `size` the person chose, if it is one of the offered sizes; anything else is the default (a list's query
    count and the page's weight never depend on what someone typed into the address)."""
    try:
        size = int(request.GET.get("size", default))
    except (TypeError, ValueError):
        return default
    return size if size in sizes else default


# Seconds a "more than the cap" answer is remembered. A list that long stays that long for a while, and counting
# cap + 1 rows is most of a very long inbox's page (2.5 ms of 10,001 index rows at 50,000 open tasks); a count
# under the cap is exact on every request. Past a drop below the cap, the figure says "10000+" this long at most.
CAPPED_SECONDS = 60


def count_capped(queryset, cap: int) -> tuple[int, bool]:
    """How many rows, counting no further than `cap`: (the count, at most `cap`; True when there are more). One
    query that stops after cap + 1 rows, whatever the table holds; a capped answer is cached (`CAPPED_SECONDS`)
    under the query's own SQL and parameters, in the tenant's cache keys. It counts the queryset's primary keys: pass
    rows of a model, not `.values(...)` groupings."""
    limited = queryset.order_by().values_list("pk")[: cap + 1]
    try:
        query, params = limited.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # `.none()` or a filter nothing can match (`pk__in=[]`)
        return 0, False
    key = "count_capped:" + hashlib.sha256(repr((query, params)).encode()).hexdigest()
    if cache.get(key):
        return cap, True
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({query}) AS capped", params)
        found = cursor.fetchone()[0]
    if found > cap:
        cache.set(key, True, CAPPED_SECONDS)
    return min(found, cap), found > cap


class ListPaginator(Paginator):
    """Django's paginator, except that a page with no rows (an empty list) is an empty list: slicing a queryset to
    nothing still compiles its whole query (joins, annotations), about 2 ms for a workbench list."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if self.count == 0:
            return self._get_page([], number, self)
        return super().page(number)


class KeyedPaginator(Paginator):
    """Pages a queryset that holds only what decides membership and order, then loads the page's rows by id.

    `rows(ids)` returns the objects for those ids in that order (joins and annotations for display go there), so
    the count and the skip to a deep page never join anything and can read one covering index. With `count_cap`
    the count stops at the cap: `capped` is then True, `count` is the cap and the pages end there (filters narrow a
    longer list). Two queries per page (count, ids) plus `rows`, whatever the page size or number."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        rows: Callable[[Sequence], Sequence],
        count_cap: int | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows
        self.count_cap = count_cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        if self.count_cap is None:
            return self.object_list.count()
        count, self.capped = count_capped(self.object_list, self.count_cap)
        return count

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top]) if top > bottom else []
        return self._get_page(list(self.rows(ids)) if ids else [], number, self)


def paginate(
    request,
    object_list,
    *,
    default: int = DEFAULT_PAGE_SIZE,
    sizes: tuple[int, ...] = PAGE_SIZES,
    rows: Callable[[Sequence], Sequence] | None = None,
    count_cap: int | None = None,
) -> Page:
    """Page `object_list` by the request's `page` and `size`; an out-of-range page shows the last one. With `rows`
    (and optionally `count_cap`) the list is paged by `KeyedPaginator`."""
    size = page_size(request, default, sizes)
    if rows is not None:
        paginator = KeyedPaginator(object_list, size, rows=rows, count_cap=count_cap)
    else:
        paginator = ListPaginator(object_list, size)
    page = paginator.get_page(request.GET.get("page"))
    page.size = size
    page.size_choices = sizes
    page.default_size = default
    return page


def page_window(page: Page, around: int = 2) -> list[int | None]:
    """The page numbers to show: first, last and `around` either side of the current one; None marks a gap (…)."""
    last = page.paginator.num_pages
    shown = {1, last, *range(page.number - around, page.number + around + 1)}
    numbers = sorted(n for n in shown if 1 <= n <= last)
    window: list[int | None] = []
    for n in numbers:
        if window and n - window[-1] > 1:
            window.append(None)
        window.append(n)
    return window
