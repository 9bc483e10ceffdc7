"""Password rules of the seeds, with knobs per tenant (length range, classes, history depth).

The validator plugs into Django's AUTH_PASSWORD_VALIDATORS, so every place that sets a password — registration,
change, reset, sub-accounts, the admin — enforces the policy of the tenant whose host is being served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

SPECIALS = "~!#$%&+-,*:;<=>@_?^、`./"
CLASSES = (
    ("digit", re.compile(r"[0-9]")),
    ("upper", re.compile(r"[A-Z]")),
    ("lower", re.compile(r"[a-z]")),
    ("special", re.compile("[" + re.escape(SPECIALS) + "]")),
)
ALLOWED = re.compile(r"^[0-9A-Za-z" + re.escape(SPECIALS) + r"]*$")


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 8
    max_length: int = 18
    min_classes: int = 3
    history: int = 5


def current_policy() -> PasswordPolicy:
    """The policy of the tenant being served (configured by PLATFORM_PASSWORD_POLICY), else the defaults."""
    provider = getattr(settings, "PLATFORM_PASSWORD_POLICY", None)
    policy = import_string(provider)() if provider else None
    return policy or PasswordPolicy()


def password_problems(
    password: str, *, policy: PasswordPolicy, username: str = "", mobile: str = "", user=None
) -> list[tuple[str, str]]:
    """Every rule the password breaks, as (code, message naming the rule). Empty when it passes."""
    problems = []
    if not policy.min_length <= len(password) <= policy.max_length:
        problems.append(
            ("length", _("密码长度须为 %(min)d–%(max)d 位。") % {"min": policy.min_length, "max": policy.max_length})
        )
    if not ALLOWED.match(password):
        problems.append(
            ("characters", _("密码只能包含数字、大小写字母和特殊字符 %(specials)s") % {"specials": SPECIALS})
        )
    classes = sum(1 for _code, pattern in CLASSES if pattern.search(password))
    if classes < policy.min_classes:
        problems.append(
            (
                "classes",
                _("密码须至少包含数字、大写字母、小写字母、特殊字符中的 %(n)d 类。") % {"n": policy.min_classes},
            )
        )
    if username and username.lower() in password.lower():
        problems.append(("username", _("密码不能包含用户名。")))
    if mobile and mobile in password:
        problems.append(("mobile", _("密码不能包含手机号。")))
    if user is not None and user.pk and _reused(password, user, policy.history):
        problems.append(("history", _("新密码不能与当前密码或最近 %(n)d 次使用过的密码相同。") % {"n": policy.history}))
    return problems


def _reused(password: str, user, depth: int) -> bool:
    if user.has_usable_password() and user.check_password(password):
        return True
    if depth <= 0:
        return False
    earlier = user.password_history.values_list("password", flat=True)[:depth]
    return any(check_password(password, hashed) for hashed in earlier)


class TenantPasswordValidator:
    """Django password validator applying `current_policy()`; records history when a password changes."""

    def validate(self, password, user=None):
        problems = password_problems(
            password,
            policy=current_policy(),
            username=getattr(user, "username", "") or "",
            mobile=getattr(user, "mobile", "") or "",
            user=user,
        )
        if problems:
            raise ValidationError([ValidationError(message, code=code) for code, message in problems])

    def password_changed(self, password, user=None):
        if user is None or not user.pk:
            return
        from shared_apps.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[24:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        policy = current_policy()
        return _(
            "%(min)d–%(max)d 位，至少包含数字、大写字母、小写字母、特殊字符中的 %(n)d 类，不能包含用户名或手机号。"
        ) % {
            "min": policy.min_length,
            "max": policy.max_length,
            "n": policy.min_classes,
        }
