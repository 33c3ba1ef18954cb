from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "coachos.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"

    def ready(self) -> None:
        from coachos.scheduling import guards

        from .services import assert_can_book

        # The waiver gate: a client who must sign first cannot book (scheduling offers the hook).
        guards.register(assert_can_book)
