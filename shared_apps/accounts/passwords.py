"""Password rules of the seeds, with knobs per tenant (length range, classes, history depth).

The validator plugs into Django's AUTH_PASSWORD_VALIDATORS, so every place that sets a password — registration,
change, reset, sub-accounts, the admin — enforces one policy: the strictest of the city being served and every
city the person belongs to (one identity spans cities, so its password must satisfy all of them).
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


HISTORY_KEPT = 25  # the current hash plus the deepest history a city may configure (24)


def strictest(policies) -> PasswordPolicy | None:
    """One policy that satisfies all of `policies`: the narrowest length range, the most classes, the deepest history.
    (If the ranges do not overlap the minimum wins and no password fits — a configuration error shown to the person.)"""
    policies = [policy for policy in policies if policy is not None]
    if not policies:
        return None
    return PasswordPolicy(
        min_length=max(policy.min_length for policy in policies),
        max_length=min(policy.max_length for policy in policies),
        min_classes=max(policy.min_classes for policy in policies),
        history=max(policy.history for policy in policies),
    )


def current_policy(user=None) -> PasswordPolicy:
    """The policy for `user` on the host being served (PLATFORM_PASSWORD_POLICY: a callable taking `user`, which
    combines the host's knobs with those of every city the person belongs to), else the defaults."""
    provider = getattr(settings, "PLATFORM_PASSWORD_POLICY", None)
    policy = import_string(provider)(user=user) if provider else None
    return policy or PasswordPolicy()


def password_history_record(user) -> bool:
    """Keep the hash `user` now has (the one place history is written; called from User.save). True if it was new."""
    from shared_apps.accounts.models import PasswordHistory

    if not user.pk or not user.password or not user.has_usable_password():
        return False
    latest = user.password_history.values_list("password", flat=True).first()
    if latest == user.password:
        return False
    PasswordHistory.objects.create(user=user, password=user.password)
    stale = user.password_history.values_list("pk", flat=True)[HISTORY_KEPT:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    return True


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
    """The current password, or one of the `depth` passwords before it (history also holds the current hash)."""
    if user.has_usable_password() and check_password(password, user.password):
        return True
    if depth <= 0:
        return False
    earlier = user.password_history.exclude(password=user.password).values_list("password", flat=True)[:depth]
    return any(check_password(password, hashed) for hashed in earlier)


class TenantPasswordValidator:
    """Django password validator applying `current_policy(user)` (history is recorded by User.save)."""

    def validate(self, password, user=None):
        problems = password_problems(
            password,
            policy=current_policy(user),
            username=getattr(user, "username", "") or "",
            mobile=getattr(user, "mobile", "") or "",
            user=user,
        )
        if problems:
            raise ValidationError([ValidationError(message, code=code) for code, message in problems])

    def get_help_text(self):
        policy = current_policy()
        return _(
            "%(min)d–%(max)d 位，至少包含数字、大写字母、小写字母、特殊字符中的 %(n)d 类，不能包含用户名或手机号。"
        ) % {
            "min": policy.min_length,
            "max": policy.max_length,
            "n": policy.min_classes,
        }
