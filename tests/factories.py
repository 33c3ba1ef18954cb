"""factory_boy factories. Every tenant-owned model needs one here: the cross-tenant test
builds an object of each model and fails for a model that has none."""

from __future__ import annotations

from typing import Any

import factory
from django_scopes import scopes_disabled

from coachos.accounts.models import ApiToken, Invitation, User
from coachos.accounts.tokens import hash_token, new_raw_token
from coachos.clients.models import Client
from coachos.tenancy.models import AuditEntry, Membership, Organization
from coachos.tenancy.roles import Role


class ScopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            from allauth.account.models import EmailAddress

            obj.save()
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Business {n}")
    slug = factory.Sequence(lambda n: f"business-{n}")
    timezone = "America/Chicago"


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class ClientFactory(ScopedFactory):
    class Meta:
        model = Client

    organization = factory.SubFactory(OrganizationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    phone = factory.Sequence(lambda n: f"+1312555{n % 10000:04d}")


class InvitationFactory(ScopedFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.STAFF


class ApiTokenFactory(ScopedFactory):
    class Meta:
        model = ApiToken

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    name = "test token"
    prefix = factory.LazyFunction(lambda: new_raw_token()[1])
    token_hash = factory.LazyFunction(lambda: hash_token(new_raw_token()[0]))


class AuditEntryFactory(ScopedFactory):
    class Meta:
        model = AuditEntry

    organization = factory.SubFactory(OrganizationFactory)
    action = "test.action"


TENANT_FACTORIES: dict[type, type[factory.Factory]] = {
    Membership: MembershipFactory,
    Client: ClientFactory,
    Invitation: InvitationFactory,
    ApiToken: ApiTokenFactory,
    AuditEntry: AuditEntryFactory,
}


def member(organization: Organization, role: str = Role.OWNER, **user_fields: Any) -> User:
    """A user with a role in the business."""
    user = UserFactory(**user_fields)
    MembershipFactory(organization=organization, user=user, role=role)
    return user


def tenant_models() -> list[type]:
    """Every model of the project (apps under ``coachos.``) that belongs to one business:
    it has a foreign key named ``organization``."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.db.models import ForeignKey

    found = []
    for model in apps.get_models():
        if not model._meta.app_config.name.startswith("coachos."):
            continue
        try:
            field = model._meta.get_field("organization")
        except FieldDoesNotExist:
            continue
        if isinstance(field, ForeignKey):
            found.append(model)
    return found
