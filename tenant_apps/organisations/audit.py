"""What the organisation services write into the audit trail (shared_apps.oversight), kept out of the services.

Mobiles are kept masked: the trail is read by the city admin and the national center, who need to see that a
number changed, not the number."""

from __future__ import annotations

from shared_apps.oversight.models import AuditEntry
from shared_apps.oversight.services import audit_changes, audit_record
from tenant_apps.organisations.models import Membership
from tenant_apps.organisations.selectors import mask_mobile


def membership_values(user) -> dict:
    """Roles and organisation of the user's membership here before a grant (empty when there is none)."""
    membership = Membership.objects.select_related("organisation").filter(user=user).first()
    if membership is None:
        return {}
    return {"roles": list(membership.roles), "organisation": membership.organisation, "is_active": membership.is_active}


def membership_granted(membership: Membership, before: dict) -> None:
    """Grants come from provisioning and seeding (no person acts): recorded when they change something."""
    after = {
        "roles": list(membership.roles),
        "organisation": membership.organisation,
        "is_active": membership.is_active,
    }
    changes = audit_changes(before, after)
    if changes:
        audit_record(action=AuditEntry.Action.GRANT, target=membership, changes=changes)


def sub_account_values(sub_account: Membership) -> dict:
    user = sub_account.user
    return {
        "mobile": mask_mobile(user.mobile),
        "email": user.email,
        "menu_permissions": sorted(sub_account.menu_permissions),
        "is_active": sub_account.is_active and user.is_active,
    }


def sub_account_created(manager: Membership, sub_account: Membership) -> None:
    after = {**sub_account_values(sub_account), "roles": list(sub_account.roles)}
    audit_record(
        action=AuditEntry.Action.SUB_ACCOUNT_CREATE,
        target=sub_account,
        changes=audit_changes({}, after),
        actor=manager.user,
    )


def sub_account_updated(manager: Membership, sub_account: Membership, before: dict) -> None:
    changes = audit_changes(before, sub_account_values(sub_account))
    if changes:
        audit_record(
            action=AuditEntry.Action.SUB_ACCOUNT_UPDATE, target=sub_account, changes=changes, actor=manager.user
        )


def sub_account_password_reset(manager: Membership, sub_account: Membership) -> None:
    """Only that it happened: no value of a password, not even a hash, goes into the trail."""
    audit_record(action=AuditEntry.Action.SUB_ACCOUNT_PASSWORD, target=sub_account, actor=manager.user)


def sub_account_deleted(manager: Membership, sub_account: Membership) -> None:
    """Called before the row goes, so the entry keeps its id and label; the user is deactivated with it."""
    audit_record(
        action=AuditEntry.Action.SUB_ACCOUNT_DELETE,
        target=sub_account,
        changes={"is_active": [sub_account_values(sub_account)["is_active"], False]},
        actor=manager.user,
    )
