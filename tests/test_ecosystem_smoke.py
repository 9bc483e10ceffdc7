"""Smoke of the ecosystem core through the engine (issue #15): first declaration → the unit confirms → the product
goes through unit, pre-review and re-review → pooled."""

from __future__ import annotations

import pytest

from tenant_apps.ecosystem.models import AllianceMember, PoolEntry, Status
from tests import ecosystem_factories as f

pytestmark = pytest.mark.django_db
JIANGMEN = "jiangmen"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def test_first_declaration_to_pool(tenant_schema):
    with tenant_schema(JIANGMEN):
        member = f.provider(1)
        declaration = f.joined(member)
        assert declaration.status == Status.APPROVED
        assert AllianceMember.objects.filter(organisation=member.organisation, left_at__isnull=True).count() == 1
        product = declaration.products.get()
        assert product.status == Status.IN_REVIEW
        f.approve_product(product)
        assert product.status == Status.APPROVED
        assert PoolEntry.objects.filter(product=product, removed_at__isnull=True).count() == 1
