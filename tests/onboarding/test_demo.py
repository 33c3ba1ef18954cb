import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from coachos.onboarding.models import IntakeResponse, WaiverSignature, WaiverVersion
from coachos.tenancy.models import Organization

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_demo_has_signed_waivers_and_filled_forms_and_seeds_once():
    call_command("seed_demo")
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
    with scope(organization=org):
        counts = (WaiverSignature.objects.count(), IntakeResponse.objects.count(), WaiverVersion.objects.count())
        assert counts[0] >= 20 and counts[1] >= 10 and counts[2] == 2
        # Older signatures keep the exact text of the version they signed.
        assert WaiverSignature.objects.filter(version__number=1).exclude(
            signed_text__contains="release").count() == WaiverSignature.objects.filter(version__number=1).count()
    call_command("seed_demo")
    with scope(organization=org):
        assert (WaiverSignature.objects.count(), IntakeResponse.objects.count(),
                WaiverVersion.objects.count()) == counts
