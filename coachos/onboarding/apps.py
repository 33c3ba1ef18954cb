from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "coachos.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"
