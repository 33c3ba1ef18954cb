from __future__ import annotations

from django import template
from django.apps import apps

register = template.Library()


@register.filter
def model_label(label: str) -> str:
    """'tenancy.Organization' → 'Business' (the model's verbose name), for people."""
    try:
        return str(apps.get_model(label)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return label
