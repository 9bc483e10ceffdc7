"""How drf-spectacular describes the tenant API (served per tenant at /api/schema/, fuzzed by tests/test_api_fuzz.py).

Corrections to what the generator does on its own:

- it walks every URL pattern of the tenant URLconf, Wagtail's admin API under /cms/ included — only /api/v1/ is
  this project's API (`api_v1_only`);
- views declare nested `InputSerializer` / `OutputSerializer` classes, which by class name alone collapse into one
  `Input` / `Output` component (the last one wins, so most operations pointed at another view's shape);
- path parameters get the range of their URL converter (an id is digits, a module code a slug), and output fields
  with `default=None` are nullable, as DRF writes them;
- it documents only the success answer. Every refusal of the API has one shape, `{"code", "message", "errors"}`
  (tenants.errors.api_exception_handler); `AutoSchema` documents it under each status an operation can answer,
  read from the view's permissions, authentication, throttles (or `rate_limited_methods`), parameters and method.
"""

from __future__ import annotations

import re

from django.urls.converters import get_converters
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

API_PREFIX = "/api/v1/"
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^()]+)\)")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_v1_only(endpoints, **kwargs):
    """PREPROCESSING_HOOKS: the published schema is the project's API, not every DRF view Wagtail mounts."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]


def _path_converters(route: str) -> dict[str, str]:
    """Parameter name (as the schema spells it: pk → id) → the regex its URL converter matches."""
    found = {
        match["name"]: get_converters()[match["converter"] or "str"].regex for match in ROUTE_PARAMETER.finditer(route)
    }
    found |= {match["name"]: match["regex"] for match in REGEX_GROUP.finditer(route)}
    if "pk" in found and api_settings.SCHEMA_COERCE_PATH_PK:
        found["id"] = found.pop("pk")
    return found


class ErrorSerializer(serializers.Serializer):
    """The body of every API refusal (tenants.errors.error_body)."""

    code = serializers.CharField(help_text="稳定的错误代码，例如 workflow.not_reviewer；客户端据此分支")
    message = serializers.CharField(help_text="给人看的说明")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="输入字段 → 错误信息；non_field_errors 表示整个请求",
    )


class AutoSchema(SpectacularAutoSchema):
    """DEFAULT_SCHEMA_CLASS of the API."""

    def get_serializer_name(self, serializer, direction):
        # TokenView.InputSerializer → TokenViewInput: unique, still readable.
        return "".join(part for part in type(serializer).__qualname__.split(".") if part != "<locals>")

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # `default=None` on an output field (e.g. source="organisation.name" across an optional relation) is how a
        # serializer says "null when the source is missing": DRF then writes null, whatever allow_null says.
        if direction == "response" and getattr(field, "default", empty) is None and "$ref" not in schema:
            schema["nullable"] = True
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        # A path parameter is whatever its URL converter matches; anything else is no URL of this API (a 404 page
        # of the portal, not an API answer): <int:…> matches digits only, <slug:…> ASCII letters, digits, - and _.
        converters = _path_converters(path_regex)
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] != "path" or parameter["name"] not in converters:
                continue
            if schema.get("type") == "integer":
                schema.setdefault("minimum", 0)
            elif schema.get("type") == "string":
                schema.setdefault("pattern", f"^{converters[parameter['name']]}$")
        responses = operation["responses"]
        for status, description in self._refusals(operation):
            if status not in responses:
                error = OpenApiResponse(ErrorSerializer, description=description)
                responses[status] = self._get_response_for_code(error, status)
        return operation

    def _refusals(self, operation) -> list[tuple[str, str]]:
        """The statuses this operation can refuse with, read from the view's own configuration."""
        view = self.view
        in_path = any(p["in"] == "path" for p in operation.get("parameters", []))
        in_query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        refusals = []
        if self.method in UNSAFE_METHODS or set(in_query) - {"page"}:  # a page out of range is a 404
            refusals.append(("400", "输入有误，或业务规则拒绝（见 code）"))
        authenticators = [cls() for cls in getattr(view, "authentication_classes", [])]
        protected = any(not issubclass(cls, AllowAny) for cls in getattr(view, "permission_classes", []))
        if protected and authenticators and authenticators[0].authenticate_header(None):
            refusals.append(("401", "未登录"))
        if protected or authenticators:
            # Session authentication comes first and sends no challenge, so DRF answers a missing or unknown
            # credential with 403 as well; an unknown token is refused even on public operations.
            refusals.append(("403", "未登录、令牌无效，或没有权限"))
        if in_path or in_query or getattr(view, "module", None):  # a module switched off here is a 404 (ModuleAccess)
            refusals.append(("404", "不存在，或不属于您可见的范围"))
        if "requestBody" in operation:
            refusals.append(("415", "请求体的媒体类型不受支持（或缺少 Content-Type）"))
        if self.method in UNSAFE_METHODS and in_path:
            refusals.append(("409", "对象已有新进展（他人已处理、已撤销或版本过期）"))
        # A view whose service keeps its own budget (sub-account creation) names the methods it spends it on.
        if getattr(view, "throttle_classes", None) or self.method in getattr(view, "rate_limited_methods", ()):
            refusals.append(("429", "请求过于频繁，或登录失败次数过多"))
        return refusals
