"""Who may see whose progress: the one rule every page, API, export and notification of progress uses.

- A team member sees the progress of the clients ``clients_visible_to`` gives them (a coach the owner
  limited to their own clients: only those).
- A client (a portal login, ``Client.user``) sees their own records only.
- Nobody else sees anything, and another business's rows are outside the scope anyway.

Goals, milestones, tasks, measurements and photos are visible exactly when their client is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to, sees_every_client
from coachos.tenancy.models import Membership, Organization

from ..models import Goal, Measurement, Milestone, ProgressPhoto, Task


def clients_for(membership: Membership | None) -> QuerySet[Client]:
    """The clients whose progress ``membership`` may see (call inside the business's scope)."""
    if membership is None:
        return Client.objects.none()
    if membership.is_team:
        return clients_visible_to(membership)
    return Client.objects.filter(user_id=membership.user_id)


def client_visible(membership: Membership | None, client_id: int) -> Client | None:
    return clients_for(membership).filter(pk=client_id).select_related("organization").first()


def _of_visible_clients(queryset: QuerySet[Any], membership: Membership | None, path: str = "client") -> QuerySet[Any]:
    if membership is None:
        return queryset.none()
    if sees_every_client(membership):
        return queryset
    return queryset.filter(**{f"{path}__in": clients_for(membership)})


def goals_visible(membership: Membership | None) -> QuerySet[Goal]:
    return _of_visible_clients(Goal.objects.all(), membership)


def milestones_visible(membership: Membership | None) -> QuerySet[Milestone]:
    return _of_visible_clients(Milestone.objects.all(), membership, "goal__client")


def tasks_visible(membership: Membership | None) -> QuerySet[Task]:
    return _of_visible_clients(Task.objects.all(), membership)


def measurements_visible(membership: Membership | None) -> QuerySet[Measurement]:
    return _of_visible_clients(Measurement.objects.all(), membership)


def photos_visible(membership: Membership | None) -> QuerySet[ProgressPhoto]:
    return _of_visible_clients(ProgressPhoto.objects.all(), membership)


def today_for(organization: Organization) -> date:
    """Today in the business's zone: the day tasks and dates of progress are counted in."""
    return timezone.now().astimezone(organization.tzinfo).date()


def membership_of(user: Any, organization_id: int) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(organization_id=organization_id, user=user).first()


def may_act_for(actor: Any, client: Client, *, team_only: bool = False) -> bool:
    """Whether ``actor`` may change ``client``'s progress: a team member who sees the client, or (unless
    ``team_only``) the client themself. ``None`` is the system (a job, the demo seed)."""
    if actor is None:
        return True
    membership = membership_of(actor, client.organization_id)
    if membership is None:
        return False
    if membership.is_team:
        return clients_for(membership).filter(pk=client.pk).exists()
    return not team_only and client.user_id == actor.pk
