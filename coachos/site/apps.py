from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top floor: pages made of several apps' parts (the dashboard, the navigation) and the demo
    seed. It may import every app; no app imports it."""

    name = "coachos.site"
    label = "site"
    verbose_name = "Site"
