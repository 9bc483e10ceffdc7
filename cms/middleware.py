"""Wagtail's admin in Chinese for everyone by default (issue 11).

The platform's own pages follow the browser's Accept-Language (ADR 0006); the admin does not: under `/cms/` the
default language is `LANGUAGE_CODE`. Wagtail then applies an editor's own choice inside its
views (`UserProfile.preferred_language`, 帐号 → 首选语言), so English stays one setting away.
"""

from django.conf import settings
from django.utils import translation

CMS_PREFIX = "/cms/"


class AdminLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(CMS_PREFIX):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
