"""Rich text is stored sanitised, whoever wrote it: Wagtail's editor whitelists what it produces, but imports,
scripts and the API can store anything, and templates render rich text unescaped."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import nh3

# The editor features offered; `embed` (remote media) is left out: government intranets are offline.
RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "hr", "link", "document-link", "image"]

_STORED_TAGS = {"p", "br", "h2", "h3", "h4", "b", "i", "strong", "em", "ol", "ul", "li", "hr", "a", "embed"}
_STORED_ATTRIBUTES = {
    # Wagtail's database format: internal links and images are references, expanded when rendered.
    "a": {"href", "linktype", "id"},
    "embed": {"embedtype", "id", "format", "alt"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# The sanitiser writes HTML5 `<embed …>`; Wagtail's rewriter only expands the self-closed `<embed …/>`.
_OPEN_EMBED = re.compile(r"<embed(\b[^>]*?)\s*/?>")

_RENDERED_TAGS = (_STORED_TAGS - {"embed"}) | {"img"}
_RENDERED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height", "class"}}


def sanitise_rich_text(html: str) -> str:
    """Wagtail's stored rich-text format with scripts, event handlers, styles and `javascript:` links removed."""
    if not html:
        return ""
    cleaned = nh3.clean(html, tags=_STORED_TAGS, attributes=_STORED_ATTRIBUTES, url_schemes=_URL_SCHEMES)
    return _OPEN_EMBED.sub(r"<embed\1/>", cleaned)


def sanitise_rendered_html(html: str, base_url: str) -> str:
    """Rendered rich text for another host: same whitelist, relative links and images made absolute."""

    def absolute(tag: str, attribute: str, value: str) -> str:
        if attribute in ("href", "src") and value.startswith("/"):
            return urljoin(base_url, value)
        return value

    return nh3.clean(
        html,
        tags=_RENDERED_TAGS,
        attributes=_RENDERED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        attribute_filter=absolute,
    )
