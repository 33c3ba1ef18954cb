import re
import pytest
from django.core import mail
from tests.factories import UserFactory

@pytest.mark.django_db
def test_x(client):
    UserFactory(email="ann@example.com")
    r = client.post("/accounts/signup/", {"name": "Ann Coach", "business_name": "Ann Fit", "email": "ann@example.com", "password1": "pw-Strong-12345", "timezone": "Europe/Paris"})
    print(r.status_code, r.get("Location"), r.templates[0].name)
    for m in mail.outbox:
        print(m.subject, m.to, m.body)
    from coachos.tenancy.models import Organization
    print(Organization.objects.count())
