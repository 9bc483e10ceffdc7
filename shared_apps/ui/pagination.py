"""One way to page a list: `paginate(request, queryset)` reads `page` and `size` from the query string; the
`{% pagination page %}` tag shows the total, the pages and the page-size choice while keeping the other filters."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

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


def paginate(request, object_list, *, default: int = DEFAULT_PAGE_SIZE, sizes: tuple[int, ...] = PAGE_SIZES) -> Page:
    """Page `object_list` by the request's `page` and `size`; an out-of-range page shows the last one."""
    size = page_size(request, default, sizes)
    page = Paginator(object_list, size).get_page(request.GET.get("page"))
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
