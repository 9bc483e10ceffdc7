"""Portal pages that are not Wagtail pages: nationwide notices shown on this host, and the portal search."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from cms.selectors import nationwide_notice, site_search


def nationwide_notice_detail(request, pk: int):
    notice = nationwide_notice(pk)
    if notice is None:
        raise Http404(_("该通知不存在或已撤下。"))
    return render(request, "cms/nationwide_notice.html", {"notice": notice})


def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL text cannot hold NUL
    feed = site_search(request, query, request.GET.get("page"))
    return render(request, "cms/search.html", {"query": query, "feed": feed})
