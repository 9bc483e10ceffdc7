"""Writes about organisations and memberships. Run inside the tenant's schema."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.organisations.roles import Role
from tenant_apps.organisations.selectors import forget_membership


@transaction.atomic
def membership_grant(*, user, roles: list[str], organisation: Organisation | None = None) -> Membership:
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValueError(f"未知角色：{', '.join(unknown)}")
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"roles": list(roles), "organisation": organisation, "is_active": True}
    )
    forget_membership(user)
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
        organisation = None
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
