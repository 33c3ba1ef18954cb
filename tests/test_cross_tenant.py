"""The generic cross-tenant test: every route that takes an object id answers 404 to a member
of another business. Routes are discovered from the URL configuration and the OpenAPI schema,
so a route added later is covered without touching this file.

Convention: an id in a URL is named ``<model_name>_id`` after the tenant-owned model it points
to (``invitation_id`` → Invitation, ``apitoken_id`` → ApiToken).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django_scopes import scopes_disabled

from coachos.api import api
from coachos.tenancy.roles import Role, role_has

from .conftest import bearer, login_as
from .factories import TENANT_FACTORIES, ClientFactory, InvitationFactory, OrganizationFactory, member, tenant_models

SKIPPED_MODULES = ("allauth", "django.contrib.admin")
ID_CONVENTION = (
    "Name an id in a URL `<model_name>_id` after the tenant-owned model it points to "
    "(e.g. invitation_id → Invitation, apitoken_id → ApiToken), so the cross-tenant test can "
    "build an object of another business for it."
)
# django.urls' own pattern for "<converter:name>" in a route.
PARAM_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
OPENAPI_PARAM_RE = re.compile(r"{(?P<parameter>[^}]+)}")


@dataclass
class Route:
    name: str
    route: str  # the full route, e.g. "o/<slug:org_slug>/team/members/<int:membership_id>/role/"
    callback: Any

    @property
    def params(self) -> list[tuple[str, str]]:
        return [(m["parameter"], m["converter"] or "str") for m in PARAM_RE.finditer(self.route)]

    @property
    def id_params(self) -> list[str]:
        return [name for name, _conv in self.params if is_id_param(name)]

    def url(self, values: dict[str, Any]) -> str:
        def fill(match: re.Match[str]) -> str:
            name, converter = match["parameter"], match["converter"] or "str"
            return str(values[name]) if name in values else placeholder(converter)

        return "/" + PARAM_RE.sub(fill, self.route)


def is_id_param(name: str) -> bool:
    return name == "pk" or name.endswith("_id")


def placeholder(converter: str) -> str:
    return {"int": "1", "uuid": str(uuid.uuid4())}.get(converter, "x")


def _module_name(urlconf: Any) -> str:
    if isinstance(urlconf, ModuleType):
        return urlconf.__name__
    return urlconf if isinstance(urlconf, str) else ""


def _skipped_resolver(resolver: URLResolver) -> bool:
    if _module_name(resolver.urlconf_name).startswith(SKIPPED_MODULES):
        return True
    if resolver.app_name == "admin" or resolver.namespace == "admin":
        return True
    # The ninja API include: checked through its OpenAPI schema below.
    return resolver.namespace == api.urls_namespace or resolver.app_name == "ninja"


def _callback_module(callback: Any) -> str:
    view_class = getattr(callback, "view_class", None)
    return (view_class or callback).__module__ or ""


def walk(patterns: list[Any] | None = None, prefix: str = "", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and _skipped_resolver(entry):
            continue
        if isinstance(entry, URLPattern) and _callback_module(entry.callback).startswith(SKIPPED_MODULES):
            continue
        if isinstance(entry.pattern, RegexPattern):
            raise AssertionError(
                f"{entry!r} uses a regular expression; write it with path() so its ids can be checked."
            )
        assert isinstance(entry.pattern, RoutePattern)
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += walk(entry.url_patterns, route, inner)
        else:
            routes.append(Route(name=f"{namespace}{entry.name or route}", route=route, callback=entry.callback))
    return routes


# Short names where the model's own name reads badly in a URL.
ALIASES = {"session_id": "trainingsession", "type_id": "sessiontype", "blocked_id": "blockedslot",
           "addition_id": "availabilityaddition", "recurring_id": "recurringbooking", "hold_id": "slothold",
           "waitlist_id": "waitlistentry", "range_id": "weeklyavailability",
           "package_id": "clientpackage", "plan_id": "packageplan",
           "message_id": "outboundmessage", "chat_message_id": "message",
           "push_subscription_id": "pushsubscription", "session_type_id": "sessiontype",
           "calendar_id": "calendarconnection", "connection_id": "calendarconnection"}


def model_for_param(name: str) -> type | None:
    alias = ALIASES.get(name)
    for model in tenant_models():
        if alias == model._meta.model_name:
            return model
        if name == f"{model._meta.model_name}_id":
            return model
    return None


def routes_with_ids() -> list[Route]:
    return [r for r in walk() if r.id_params]


def api_operations() -> list[tuple[str, str, list[str]]]:
    schema = api.get_openapi_schema()
    operations = []
    for path, item in schema["paths"].items():
        params = [m["parameter"] for m in OPENAPI_PARAM_RE.finditer(path)]
        if not any(is_id_param(p) for p in params):
            continue
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append((path, method, params))
    return operations


@pytest.fixture
def two_businesses(db: None) -> dict[str, Any]:
    org_a = OrganizationFactory(name="Alpha Gym", slug="alpha-gym")
    org_b = OrganizationFactory(name="Beta Studio", slug="beta-studio")
    owner_a = member(org_a, Role.OWNER, email="owner-a@example.com")
    owner_b = member(org_b, Role.OWNER, email="owner-b@example.com")
    client_b = member(org_b, Role.CLIENT, email="client-b@example.com")
    return {"a": org_a, "b": org_b, "owner_a": owner_a, "owner_b": owner_b, "client_b": client_b}


def requester_for(route: Route, businesses: dict[str, Any]) -> tuple[str, Any]:
    """The member of B who may use this page: the owner (every back-office right), or for a
    client-portal page a client. Then only the object, not the role, can decide the answer."""
    perm = getattr(route.callback, "coachos_perm", None)
    if perm is not None and not role_has(Role.OWNER, perm) and role_has(Role.CLIENT, perm):
        return "client of B", businesses["client_b"]
    return "owner of B", businesses["owner_b"]


def objects_of(organization: Any) -> dict[type, Any]:
    models = tenant_models()
    missing = [m._meta.label for m in models if m not in TENANT_FACTORIES]
    assert not missing, (
        f"No factory in tests/factories.TENANT_FACTORIES for tenant-owned model(s) {missing}. "
        "Add one, so the cross-tenant test can build an object of each model."
    )
    return {model: TENANT_FACTORIES[model](organization=organization) for model in models}


def rows_of(objects: dict[type, Any]) -> dict[str, list[dict[str, Any]]]:
    with scopes_disabled():
        return {model._meta.label: list(model.objects.filter(pk=obj.pk).values()) for model, obj in objects.items()}


def test_every_id_kwarg_follows_the_naming_convention():
    problems = []
    for route in routes_with_ids():
        for param in route.id_params:
            if model_for_param(param) is None:
                problems.append(f"{route.name} ({route.route}): `{param}` names no tenant-owned model.")
    for path, method, params in api_operations():
        for param in params:
            if is_id_param(param) and model_for_param(param) is None:
                problems.append(f"API {method.upper()} {path}: `{param}` names no tenant-owned model.")
    assert not problems, "\n".join(problems) + "\n" + ID_CONVENTION


def test_every_id_route_is_a_404_for_another_business(two_businesses: dict[str, Any]):
    org_a, org_b = two_businesses["a"], two_businesses["b"]
    a_objects = objects_of(org_a)
    before = rows_of(a_objects)
    browsers: dict[str, Any] = {}

    failures: list[str] = []
    checked: list[str] = []
    for route in routes_with_ids():
        models = {param: model_for_param(param) for param in route.id_params}
        unmapped = [p for p, m in models.items() if m is None]
        if unmapped:
            failures.append(f"{route.name}: `{', '.join(unmapped)}` names no tenant-owned model. {ID_CONVENTION}")
            continue
        values: dict[str, Any] = {param: a_objects[model].pk for param, model in models.items()}
        has_org = any(name == "org_slug" for name, _conv in route.params)
        # B's owner, B's address, A's object: the view must not find it. Without an address in
        # the URL (account pages), the view itself must keep to the user's own businesses.
        url = route.url({**values, "org_slug": org_b.slug} if has_org else values)
        # The URL must reach the view it was built for, or a 404 would prove nothing.
        match = resolve(url)
        assert match.func is route.callback, f"{route.name}: {url} resolved to {match.view_name}"
        who, user = requester_for(route, two_businesses)
        browser = browsers.setdefault(who, login_as(user))
        statuses = {method: getattr(browser, method)(url).status_code for method in ("get", "post")}
        if any(status not in (404, 405) for status in statuses.values()) or 404 not in statuses.values():
            failures.append(f"{route.name} as {who}, A's object: {url} → {statuses}")
        checked.append(url)
        if has_org:
            # A's own address: B's owner is not a member there, so both methods are a 404.
            url = route.url({**values, "org_slug": org_a.slug})
            statuses = {method: getattr(browser, method)(url).status_code for method in ("get", "post")}
            if set(statuses.values()) != {404}:
                failures.append(f"{route.name} as {who} under A's address: {url} → {statuses}")
            checked.append(url)

    print(f"cross-tenant: checked {len(checked)} route/slug combinations on {len(routes_with_ids())} id routes")  # noqa: T201
    assert not failures, "Another business's object must be a 404:\n" + "\n".join(failures)
    assert len(checked) > 0
    assert rows_of(a_objects) == before, "a request from another business changed A's objects"


def test_every_api_id_operation_is_a_404_for_another_business(two_businesses: dict[str, Any]):
    org_a, org_b = two_businesses["a"], two_businesses["b"]
    a_objects = objects_of(org_a)
    headers = bearer(two_businesses["owner_b"], org_b)
    http = DjangoClient()
    failures: list[str] = []
    operations = api_operations()
    for path, method, params in operations:
        values = {}
        for param in params:
            model = model_for_param(param)
            if model is None:
                failures.append(f"{method.upper()} {path}: `{param}` names no tenant-owned model. {ID_CONVENTION}")
                break
            values[param] = a_objects[model].pk
        else:
            url = OPENAPI_PARAM_RE.sub(lambda m, values=values: str(values.get(m["parameter"], "x")), path)
            kwargs: dict[str, Any] = dict(headers)
            if method in {"post", "put", "patch"}:
                kwargs.update(data="{}", content_type="application/json")
            response = getattr(http, method)(url, **kwargs)
            content_type = response.headers.get("Content-Type", "")
            if response.status_code != 404 or not content_type.startswith("application/problem+json"):
                failures.append(f"{method.upper()} {path} ({url}) → {response.status_code} {content_type}")

    print(f"cross-tenant API: checked {len(operations)} operations")  # noqa: T201
    assert not failures, "Another business's object must be a 404 problem:\n" + "\n".join(failures)
    assert len(operations) > 0


def test_the_walkers_find_the_known_routes():
    """The discovery is not vacuous: the id routes that exist today are found."""
    names = {route.name for route in routes_with_ids()}
    expected = {
        "backoffice:invitation_resend", "backoffice:invitation_revoke",
        "backoffice:membership_role", "backoffice:membership_remove", "api_token_revoke",
    }
    assert expected <= names, f"missing {expected - names}; found {sorted(names)}"
    # Skipped: the admin site, allauth's own routes and the ninja include.
    all_routes = walk()
    assert not any(r.route.startswith(("admin/", "accounts/", "api/")) for r in all_routes)
    assert {"home", "backoffice:dashboard", "portal:home", "invitation_accept"} <= {r.name for r in all_routes}

    api_paths = {(path, method) for path, method, _params in api_operations()}
    assert ("/api/v1/clients/{client_id}", "get") in api_paths
    assert model_for_param("client_id").__name__ == "Client"
    assert model_for_param("apitoken_id").__name__ == "ApiToken"
    assert model_for_param("session_id").__name__ == "TrainingSession"
    assert model_for_param("pk") is None


@pytest.mark.django_db
def test_the_same_requests_succeed_within_the_business(two_businesses: dict[str, Any]):
    """Control for the tests above: the URLs they build do work for the object's own business."""
    org_a = two_businesses["a"]
    own_client = ClientFactory(organization=org_a)
    headers = bearer(two_businesses["owner_a"], org_a)
    response = DjangoClient().get(f"/api/v1/clients/{own_client.pk}", **headers)
    assert response.status_code == 200
    assert response.json()["id"] == own_client.pk

    invitation = InvitationFactory(organization=org_a)
    route = next(r for r in routes_with_ids() if r.name == "backoffice:invitation_revoke")
    url = route.url({"org_slug": org_a.slug, "invitation_id": invitation.pk})
    response = login_as(two_businesses["owner_a"]).post(url)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
