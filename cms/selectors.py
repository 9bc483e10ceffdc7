"""Reads for the portal: column feeds (own articles merged with nationwide notices), home sections, search, and
what the workbench shows of the portal (registered with `tenant_apps.portal.content` in CmsConfig.ready)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import CharField, Q, Value
from django.urls import reverse

from cms.models import ArticlePage, Column, ColumnIndexPage, FaqPage, PortalHomePage, SurveyPage
from shared_apps.broadcasts.models import NationwideNotice
from tenant_apps.portal.selectors import Entry

SEARCH_LIMIT = 500  # hits per source; a person refines a query rather than paging past this


@dataclass(frozen=True)
class FeedItem:
    title: str
    date: date
    url: str
    summary: str = ""
    issuer: str = ""
    nationwide: bool = False  # shown here, published by the national center
    picture: bool = False


def _articles(parent=None):
    pages = ArticlePage.objects.live().public()
    return pages.child_of(parent) if parent is not None else pages


def _nationwide():
    return NationwideNotice.objects.shown_in(connection.schema_name)


def _nationwide_matching(query: str):
    return _nationwide().filter(Q(title__icontains=query) | Q(summary__icontains=query) | Q(body__icontains=query))


def _rows(articles, notices):
    """(id, date, source) rows of both sources as one SQL union, newest first, so paging stays in the database."""
    own = articles.annotate(origin=Value("page", output_field=CharField())).values_list("id", "date", "origin")
    if notices is None:
        return own.order_by("-date", "-id")
    theirs = notices.annotate(origin=Value("national", output_field=CharField())).values_list("id", "date", "origin")
    return own.union(theirs, all=True).order_by("-date", "-id")


def _hydrate(rows, request) -> list[FeedItem]:
    """Turn a page of rows into items with two queries, whatever the page size."""
    page_ids = [pk for pk, _day, source in rows if source == "page"]
    notice_ids = [pk for pk, _day, source in rows if source == "national"]
    pages = {page.pk: page for page in ArticlePage.objects.filter(pk__in=page_ids)} if page_ids else {}
    notices = {notice.pk: notice for notice in NationwideNotice.objects.filter(pk__in=notice_ids)} if notice_ids else {}
    items = []
    for pk, _day, source in rows:
        if source == "page" and pk in pages:
            page = pages[pk]
            items.append(
                FeedItem(
                    title=page.title,
                    date=page.date,
                    url=page.get_url(request),
                    summary=page.summary,
                    issuer=page.issuer,
                    picture=page.kind == ArticlePage.Kind.PICTURE,
                )
            )
        elif source == "national" and pk in notices:
            notice = notices[pk]
            items.append(
                FeedItem(
                    title=notice.title,
                    date=notice.date,
                    url=reverse("nationwide-notice", args=[notice.pk]),
                    summary=notice.summary,
                    issuer=notice.issuer,
                    nationwide=True,
                )
            )
    return items


def column_feed(index: ColumnIndexPage, request, *, query: str = "", page_number=None) -> PaginatorPage:
    """One page of a column: its live articles and, where the column shows them, nationwide notices."""
    articles = _articles(index)
    notices = _nationwide() if index.shows_nationwide else None
    if query:
        hits = [page.pk for page in articles.search(query, operator="and")[:SEARCH_LIMIT]]
        articles = ArticlePage.objects.filter(pk__in=hits)
        notices = _nationwide_matching(query) if notices is not None else None
    page = Paginator(_rows(articles, notices), index.per_page or 15).get_page(page_number)
    page.object_list = _hydrate(list(page.object_list), request)
    return page


def latest(index: ColumnIndexPage, request, count: int) -> list[FeedItem]:
    notices = _nationwide() if index.shows_nationwide else None
    return _hydrate(list(_rows(_articles(index), notices)[:count]), request)


def notices_index() -> ColumnIndexPage | None:
    """The portal's (first) notices column."""
    return ColumnIndexPage.objects.live().public().filter(column=Column.NOTICES).order_by("path").first()


def notices_url(request) -> str | None:
    index = notices_index()
    return index.get_url(request) if index is not None else None


def latest_notices(request, count: int = 5) -> tuple[list[FeedItem], str | None]:
    """The workbench's announcements: the newest items of the notices column, and its address."""
    index = notices_index()
    if index is None:
        return [], None
    return latest(index, request, count), index.get_url(request)


@dataclass(frozen=True)
class Section:
    title: str
    url: str
    column: str
    items: list[FeedItem]


def home_sections(home: PortalHomePage, request) -> list[Section]:
    """The home page's blocks: the newest items of every live column, in tree order."""
    sections = []
    for index in ColumnIndexPage.objects.live().public().child_of(home):
        items = latest(index, request, home.latest_count or 5)
        sections.append(Section(index.title, index.get_url(request), index.column, items))
    return sections


def home_entries(home: PortalHomePage, request) -> list[Entry]:
    """The home page's own quick entries, after the portal's (register, sign in, modules): survey and FAQ."""
    pages = [*SurveyPage.objects.live().public().child_of(home), *FaqPage.objects.live().public().child_of(home)]
    return [Entry(page.title, page.get_url(request)) for page in pages]


def site_search(request, query: str, page_number=None) -> PaginatorPage:
    """Search every article of this tenant's portal plus the nationwide notices shown here."""
    hits = [page.pk for page in _articles().search(query, operator="and")[:SEARCH_LIMIT]] if query else []
    notices = _nationwide_matching(query) if query else NationwideNotice.objects.none()
    rows = _rows(ArticlePage.objects.filter(pk__in=hits), notices)
    page = Paginator(rows, 15).get_page(page_number)
    page.object_list = _hydrate(list(page.object_list), request)
    return page


def nationwide_audience_count() -> int:
    """How many city portals show what this tenant publishes nationwide (ADR 0011)."""
    from shared_apps.broadcasts.selectors import audience_count

    return audience_count(connection.schema_name)


def nationwide_reach(page) -> int | None:
    """How many city portals will show `page` (as it would be published) besides this one; None when publishing
    it rolls out nowhere (not marked nationwide, or this tenant does not publish nationwide)."""
    from tenants.models import current_tenant

    if not getattr(page, "nationwide", False):
        return None
    tenant = current_tenant()
    if tenant is None or not tenant.publishes_nationwide:
        return None
    return nationwide_audience_count()


def nationwide_notice(pk: int) -> NationwideNotice | None:
    return _nationwide().select_related("source").filter(pk=pk).first()


NAV_KEY = "portal:nav"
NAV_SECONDS = 300


def portal_nav(request) -> list[Entry]:
    """The portal's second navigation row: the home page's live children marked “show in menus”.

    Every portal and workbench page draws it, and reading it costs five queries through Wagtail's tree, so it is
    kept in the cache per tenant (the key function puts the schema in the key) and dropped whenever a page is
    saved, published, unpublished, moved or deleted (cms/signals.py)."""
    cached = cache.get(NAV_KEY)
    if cached is not None:
        return [Entry(title, url) for title, url in cached]
    home = PortalHomePage.objects.live().first()
    entries = (
        [Entry(page.title, page.get_url(request)) for page in home.get_children().live().public().in_menu()]
        if home is not None
        else []
    )
    cache.set(NAV_KEY, [(entry.label, entry.url) for entry in entries], NAV_SECONDS)
    return entries


def portal_nav_changed() -> None:
    cache.delete(NAV_KEY)
