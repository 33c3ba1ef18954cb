"""Tenancy fails closed: a tenant query outside a scope raises, inside one it sees one business."""

from __future__ import annotations

import re

import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from coachos.accounts.models import ApiToken, Invitation
from coachos.clients.models import Client
from coachos.tenancy.models import AuditEntry, Membership

from ..factories import TENANT_FACTORIES, OrganizationFactory, tenant_models

KNOWN_TENANT_MODELS = [Membership, Client, Invitation, ApiToken, AuditEntry]


def _ids(model: type) -> str:
    return model.__name__


def test_discovery_finds_the_known_tenant_models():
    found = set(tenant_models())
    missing = set(KNOWN_TENANT_MODELS) - found
    assert not missing, f"tenant_models() did not find {sorted(m.__name__ for m in missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", KNOWN_TENANT_MODELS, ids=_ids)
def test_query_outside_a_scope_raises(model: type):
    organization = OrganizationFactory()
    TENANT_FACTORIES[model](organization=organization)
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk__gt=0).count()
    with pytest.raises(ScopeError):
        model.objects.get(organization=organization)


@pytest.mark.django_db
@pytest.mark.parametrize("model", KNOWN_TENANT_MODELS, ids=_ids)
def test_query_inside_a_scope_sees_only_that_business(model: type):
    org_a, org_b = OrganizationFactory(), OrganizationFactory()
    factory = TENANT_FACTORIES[model]
    a_rows = {factory(organization=org_a).pk, factory(organization=org_a).pk}
    b_rows = {factory(organization=org_b).pk}
    with scopes_disabled():
        assert model.objects.filter(pk__in=a_rows | b_rows).count() == 3

    with scope(organization=org_a):
        seen = set(model.objects.values_list("pk", flat=True))
        assert seen == a_rows
        assert not model.objects.filter(pk__in=b_rows).exists()
        with pytest.raises(model.DoesNotExist):
            model.objects.get(pk=next(iter(b_rows)))
    with scope(organization=org_b):
        assert set(model.objects.values_list("pk", flat=True)) == b_rows


@pytest.mark.django_db
def test_every_tenant_model_has_a_scoped_default_manager():
    """A model added later with an ``organization`` key but a plain manager fails here."""
    organization = OrganizationFactory()
    problems = []
    models = tenant_models()
    assert len(models) >= len(KNOWN_TENANT_MODELS)
    for model in models:
        manager = model._default_manager
        label = model._meta.label
        try:
            list(manager.all())
        except ScopeError:
            pass
        else:
            problems.append(f"{label}: a query outside a scope did not raise ScopeError "
                            f"(give it `objects = ScopedManager(organization=\"organization\")`)")
            continue
        with scope(organization=organization):
            sql = str(manager.all().query)
        column = model._meta.get_field("organization").column
        if not re.search(rf'"{column}" = {organization.pk}\b', sql):
            problems.append(f"{label}: inside scope(organization=...) the query is not filtered by {column}: {sql}")
    assert not problems, "\n".join(problems)
