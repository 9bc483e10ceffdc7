"""Request hygiene before any view runs, and the security headers on every response."""

from __future__ import annotations

import re

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from tenants.errors import error_body

# C0 controls and DEL, except tab, line feed and carriage return (textareas send those). PostgreSQL refuses NUL in
# text, so a NUL reaching a query was a 500; the others have no business in a form field or a query either.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharacterMiddleware:
    """Control characters never reach a view. In a page's query string they are dropped (a search for "a<NUL>b" is
    a search for "ab": an ordinary or empty result); under /api/ each filter refuses or drops them itself. A form
    post carrying one (field name or value) is answered 400: our 400 page, or the API's error shape under /api/;
    silently changing what someone typed (a password, say) would be worse. JSON bodies are left to DRF, whose
    fields refuse NUL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")  # the API's filters validate their own queries (refuse or drop)
        if not api and any(self._dirty(key, values) for key, values in request.GET.lists()):
            request.GET = self._cleaned(request.GET)
        if request.method == "POST" and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            if any(self._dirty(key, values) for key, values in request.POST.lists()):
                return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _dirty(key: str, values: list[str]) -> bool:
        return bool(CONTROL_CHARACTERS.search(key)) or any(CONTROL_CHARACTERS.search(value) for value in values)

    @staticmethod
    def _cleaned(query: QueryDict) -> QueryDict:
        cleaned = QueryDict(mutable=True)
        for key, values in query.lists():
            cleaned.setlist(CONTROL_CHARACTERS.sub("", key), [CONTROL_CHARACTERS.sub("", value) for value in values])
        cleaned._mutable = False
        return cleaned

    @staticmethod
    def _refuse(request):
        message = _("请求中含有无法处理的控制字符，请检查后重新提交。")
        if request.path.startswith("/api/"):
            return JsonResponse(error_body("request.control_characters", message), status=400)
        response = TemplateResponse(request, "400.html", {"message": message}, status=400)
        return response.render()


class PathAwareCSPMiddleware(CSPMiddleware):
    """django-csp with one strict policy (settings.CONTENT_SECURITY_POLICY) for every page we render, and a relaxed
    script policy only under the prefixes of third-party UIs that still carry inline scripts (Wagtail's admin)."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        for prefix, replace in settings.PLATFORM_CSP_RELAXED_PREFIXES.items():
            if request.path_info.startswith(prefix):
                parts.replace = {**(parts.replace or {}), **replace}
                break
        return parts


class PermissionsPolicyMiddleware:
    """Browser features no page of ours uses are switched off (Django has no setting for this header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PLATFORM_PERMISSIONS_POLICY)
        return response


class DomainErrorPageMiddleware:
    """A page view that lets a service's 404/403 refusal through (an access helper's `not_found`) answers with our
    404/403 page, as `Http404`/`PermissionDenied` would — never a 500. Forms still catch refusals themselves
    (`attach_error`) so messages land on their fields; the API has its own handler."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from tenants.errors import DomainError

        if not isinstance(exception, DomainError) or exception.status not in (403, 404):
            return None
        if exception.status == 404:
            raise Http404(exception.message) from exception
        raise PermissionDenied(exception.message) from exception
