import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Tag
from coachos.clients.selectors import tags_with_counts
from coachos.tenancy.models import Organization

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_demo_has_coloured_tags_on_clients_and_seeds_once():
    call_command("seed_demo")
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
    with scope(organization=org):
        counts = {t.name: t.client_count for t in tags_with_counts()}
        assert len(counts) >= 3 and all(n > 0 for n in counts.values())
        assert all(t.css_class for t in Tag.objects.all())
    call_command("seed_demo")
    with scope(organization=org):
        assert {t.name: t.client_count for t in tags_with_counts()} == counts
