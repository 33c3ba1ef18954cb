import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from coachos.onboarding.models import IntakeResponse, OnboardingSettings, WaiverSignature, WaiverVersion
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
        # Most drew their signature (a PNG kept privately); some used the accessible alternative.
        drawn = list(WaiverSignature.objects.filter(method="drawn"))
        adopted = WaiverSignature.objects.filter(method="typed_adopted")
        assert len(drawn) >= 10 and adopted.exists() and not any(s.signature for s in adopted)
        assert all(s.signature.open("rb").read(8) == b"\x89PNG\r\n\x1a\n" for s in drawn[:3])
        # Northside offers (does not require) a package during onboarding: some on sale.
        setting = OnboardingSettings.objects.get(organization=org)
        offered = sorted(setting.package_plans.values_list("name", flat=True))
        assert setting.package_step == "offer" and offered == ["10 sessions", "5 sessions", "Intro pack"]
    call_command("seed_demo")
    with scope(organization=org):
        assert (WaiverSignature.objects.count(), IntakeResponse.objects.count(),
                WaiverVersion.objects.count()) == counts
        setting.refresh_from_db()
        assert setting.package_step == "offer" and setting.package_plans.count() == 3
