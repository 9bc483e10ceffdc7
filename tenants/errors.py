"""The project's one domain error, and the two places that turn it into an answer (docs/conventions.md).

Services raise `DomainError(message, code=…, field=…, status=…)`; they never pick an HTTP status in a view or
return a Response. `api_exception_handler` (DRF's EXCEPTION_HANDLER) renders it, Django's ValidationError and
DRF's own exceptions as one JSON shape; `attach_error` puts it on a form next to the field it names.

The API shape, for every 4xx:

    {"code": "workflow.not_reviewer", "message": "您不是该环节的审核人。", "errors": {"non_field_errors": ["…"]}}

`code` is stable (clients branch on it), `message` is for people, `errors` maps input fields to their messages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404

NON_FIELD = "non_field_errors"


class DomainError(Exception):
    """A refusal the person can act on. `field` names the input it is about (None = the whole request)."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.field = field
        self.status = status

    def __str__(self) -> str:
        return self.message


def not_found(message: str = "未找到。", *, code: str = "not_found") -> DomainError:
    return DomainError(message, code=code, status=404)


def conflict(message: str, *, code: str, field: str | None = None) -> DomainError:
    """The request was fine but the object moved on (decided by someone else, edited since the form was opened)."""
    return DomainError(message, code=code, field=field, status=409)


def _password_field(fields) -> str | None:
    for name in ("new_password1", "password", "new_password"):
        if name in fields:
            return name
    return None


def attach_error(form, error: Exception, field: str | None = None) -> None:
    """Put a service's refusal on the form: password-policy errors (Django's ValidationError) on the new password,
    a DomainError on the field it names, else on `field`, else on the form as a whole."""
    if isinstance(error, DjangoValidationError):
        target = field if field in form.fields else _password_field(form.fields)
        for message in error.messages:
            form.add_error(target, message)
        return
    named = getattr(error, "field", None)
    target = named if named in form.fields else field if field in form.fields else None
    form.add_error(target, str(error))


def error_body(code: str, message: str, errors: dict | None = None) -> dict:
    return {"code": code, "message": message, "errors": errors or {NON_FIELD: [message]}}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as flat field paths: {"user": {"mobile": [..]}} → {"user.mobile": [..]}, list items
    by index ("cases.0.amount")."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or NON_FIELD: [str(item) for item in items]}


def api_exception_handler(exc, context):
    """DRF's exception handler for the whole API: one JSON shape for domain refusals, invalid input and DRF's own
    401/403/404/405/429, so a client reads every error the same way."""
    from rest_framework import exceptions, status
    from rest_framework.response import Response
    from rest_framework.views import exception_handler

    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, {exc.field or NON_FIELD: [exc.message]}), status=exc.status)
    if isinstance(exc, DjangoValidationError):  # password policy and model validation raised by services
        field = "password" if not hasattr(exc, "error_dict") else None
        errors = exc.message_dict if hasattr(exc, "error_dict") else {field: exc.messages}
        first = next(iter(errors.values()))[0]
        return Response(error_body("invalid", first, errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail})
        first = next((m for messages in errors.values() for m in messages), "输入有误。")
        response.data = error_body("invalid", first, errors)
    else:
        code = getattr(exc, "default_code", "error")
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = error_body(str(code), str(detail))
    return response
