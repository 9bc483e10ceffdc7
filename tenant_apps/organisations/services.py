"""Writes about organisations and memberships. Run inside the tenant's schema."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from rest_framework.throttling import SimpleRateThrottle

from tenant_apps.organisations import audit
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.organisations.roles import Role
from tenant_apps.organisations.selectors import forget_membership
from tenants.errors import DomainError

SUB_ACCOUNT_ROLES = (Role.ENTERPRISE, Role.PROVIDER, Role.ANCHOR_UNIT)


@transaction.atomic
def membership_grant(*, user, roles: list[str], organisation: Organisation | None = None) -> Membership:
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise DomainError(f"未知角色：{', '.join(unknown)}", code="membership.unknown_role", field="roles")
    before = audit.membership_values(user)
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"roles": list(roles), "organisation": organisation, "is_active": True}
    )
    forget_membership(user)
    audit.membership_granted(membership, before)
    return membership


@transaction.atomic
def administrators_grant(user_ids) -> list[Membership]:
    """Make these identities this city's administrators (the console's first city admin), keeping any roles and
    organisation they already hold here."""
    User = get_user_model()
    memberships = []
    for user in User.objects.filter(pk__in=list(user_ids)).order_by("pk"):
        existing = Membership.objects.filter(user=user).first()
        roles = list(existing.roles) if existing else []
        if Role.TENANT_ADMIN not in roles:
            roles.append(Role.TENANT_ADMIN)
        organisation = existing.organisation if existing else None
        memberships.append(membership_grant(user=user, roles=roles, organisation=organisation))
    return memberships


@transaction.atomic
def demo_accounts_seed(accounts: list[dict], *, password_hash: str) -> list[Membership]:
    """Demo identities (global) with their membership here. Existing users keep their password."""
    User = get_user_model()
    memberships = []
    for spec in accounts:
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={"mobile": spec.get("mobile"), "email": f"{spec['username']}@example.com"},
        )
        if created:
            user.password = password_hash
            user.save(update_fields=["password"])
        # An account without a preset organisation keeps the one it made itself (e.g. by its demo certification).
        existing = Membership.objects.filter(user=user).only("organisation_id").first()
        organisation = existing.organisation if existing and not spec.get("organisation") else None
        if org := spec.get("organisation"):
            lookup = {"uscc": org["uscc"]} if org.get("uscc") else {"name": org["name"], "kind": org["kind"]}
            organisation, _ = Organisation.objects.get_or_create(
                **lookup,
                defaults={
                    "name": org["name"],
                    "kind": org["kind"],
                    "certification": Organisation.Certification.CERTIFIED,
                    # (the related model by name: configuration sits above this app)
                    "industry": Organisation._meta.get_field("industry")
                    .related_model.objects.filter(code=org.get("industry") or "")
                    .first(),
                    "region": org.get("region") or "",
                },
            )
        memberships.append(membership_grant(user=user, roles=spec["roles"], organisation=organisation))
    return memberships


# --- Sub-accounts (seed 001, 用户管理) ----------------------------------------------------------------------------
def _require_manager(manager: Membership) -> None:
    """Only main accounts of the organisations the seed gives sub-accounts to (enterprise, provider, anchor unit) —
    never a bureau or finance membership that happens to carry an organisation."""
    if not manager.manages_organisation or not manager.has_role(*SUB_ACCOUNT_ROLES):
        raise PermissionDenied(_("只有单位主账号可以管理子账号。"))
    if manager.organisation.certification != Organisation.Certification.CERTIFIED:
        raise PermissionDenied(_("单位通过认证后才能开通子账号。"))


def _grantable(manager: Membership, menu_permissions: list[str]) -> list[str]:
    from django.db import connection

    enabled = set(connection.tenant.modules)
    unknown = [code for code in menu_permissions if code not in enabled]
    if unknown:
        raise DomainError(
            _("不能授权本平台未启用的功能：%(codes)s") % {"codes": "、".join(unknown)},
            code="sub_account.module_off",
            field="menu_permissions",
        )
    return sorted(set(menu_permissions))


class SubAccountAttemptBudget(SimpleRateThrottle):
    """DRF's sliding window over the cache, used here rather than on a view so the workbench form and the API spend
    one budget: at most `PLATFORM_SUB_ACCOUNT_ATTEMPTS_PER_HOUR` creation attempts per manager identity in any hour."""

    scope = "sub_account_create"

    def __init__(self, user_id: int):
        self.ident = user_id
        super().__init__()

    def get_rate(self) -> str:
        return f"{int(getattr(settings, 'PLATFORM_SUB_ACCOUNT_ATTEMPTS_PER_HOUR', 20))}/hour"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def _attempt_spend(manager: Membership) -> None:
    """Count one creation attempt against the manager's budget, or refuse (429) once it is spent.

    Creating a sub-account has to say when a username or mobile is taken, and identities are national: without a
    budget a certified main account could probe who is registered anywhere. Every attempt that reaches those lookups
    counts, whether it then succeeds or is refused; a refused one here does not. The budget belongs to the identity,
    not the city (its cache key lives under the public schema), and concurrent attempts of one manager queue on an
    advisory lock, so none is lost from the count."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sub-account-attempts:{manager.user_id}"])
    budget = SubAccountAttemptBudget(manager.user_id)
    with schema_context(get_public_schema_name()):
        allowed = budget.allow_request(None, None)
    if not allowed:
        minutes = max(1, math.ceil((budget.wait() or budget.duration) / 60))
        raise DomainError(
            _("新建子账号的尝试过于频繁，请 %(minutes)d 分钟后再试。") % {"minutes": minutes},
            code="sub_account.rate_limited",
            status=429,
        )


def _mobile_free(mobile: str, *, except_user=None) -> None:
    User = get_user_model()
    taken = User.objects.filter(mobile=mobile)
    if except_user is not None:
        taken = taken.exclude(pk=except_user.pk)
    if taken.exists():
        raise DomainError(_("该手机号已被其他账号使用。"), code="sub_account.mobile_taken", field="mobile")


@transaction.atomic
def sub_account_create(
    *,
    manager: Membership,
    username: str,
    name: str,
    mobile: str,
    email: str,
    password: str,
    menu_permissions: list[str],
) -> Membership:
    """The web form has checked its image captcha before this runs; then who may, then the budget, then lookups."""
    _require_manager(manager)
    _attempt_spend(manager)
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("该用户名已被使用。"), code="sub_account.username_taken", field="username")
    _mobile_free(mobile)
    grants = _grantable(manager, menu_permissions)
    validate_password(password, User(username=username, mobile=mobile))
    user = User.objects.create_user(username=username, mobile=mobile, email=email, password=password, first_name=name)
    sub_account = Membership.objects.create(
        user=user,
        organisation=manager.organisation,
        roles=[role for role in manager.roles if role in SUB_ACCOUNT_ROLES],
        is_sub_account=True,
        menu_permissions=grants,
    )
    audit.sub_account_created(manager, sub_account)
    return sub_account


@transaction.atomic
def sub_account_update(
    *, manager: Membership, sub_account: Membership, mobile: str, email: str, menu_permissions: list[str]
) -> Membership:
    """Mobile, email and menu permissions may change; the username never does."""
    _require_manager(manager)
    before = audit.sub_account_values(sub_account)
    user = sub_account.user
    _mobile_free(mobile, except_user=user)
    user.mobile, user.email = mobile, email
    user.save(update_fields=["mobile", "email"])
    sub_account.menu_permissions = _grantable(manager, menu_permissions)
    sub_account.save(update_fields=["menu_permissions"])
    forget_membership(user)
    audit.sub_account_updated(manager, sub_account, before)
    return sub_account


@transaction.atomic
def sub_account_reset_password(*, manager: Membership, sub_account: Membership, password: str) -> None:
    _require_manager(manager)
    validate_password(password, sub_account.user)
    sub_account.user.set_password(password)
    sub_account.user.save()
    audit.sub_account_password_reset(manager, sub_account)


@transaction.atomic
def sub_account_delete(*, manager: Membership, sub_account: Membership) -> None:
    """The identity was made for this organisation: it leaves with the membership (deactivated, not erased)."""
    _require_manager(manager)
    user = sub_account.user
    audit.sub_account_deleted(manager, sub_account)
    sub_account.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
