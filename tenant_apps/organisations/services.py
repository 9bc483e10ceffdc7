"""Writes about organisations and memberships. Run inside the tenant's schema."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

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
    _require_manager(manager)
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
