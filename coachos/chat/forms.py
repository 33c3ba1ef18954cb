"""The team's "New group" form. It offers only the clients the member may see and the business's other
team members; ``services.group_create`` writes the group (and checks both again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role

from . import serialize
from .services import TITLE_MAX


class ClientChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class TeamChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return serialize.full_name(obj.user)


class GroupForm(forms.Form):
    title = forms.CharField(label=_("Group name"), max_length=TITLE_MAX,
                            help_text=_("What everyone in the group sees, e.g. “Saturday bootcamp”."))
    clients = ClientChoices(label=_("Clients"), queryset=Client.objects.none(), required=False,
                            widget=forms.CheckboxSelectMultiple,
                            error_messages={"invalid_choice": _("No such client in this business.")})
    memberships = TeamChoices(label=_("Team members"), queryset=Membership.objects.none(), required=False,
                              widget=forms.CheckboxSelectMultiple,
                              error_messages={"invalid_choice": _("No such team member in this business.")},
                              help_text=_("You are in the group too."))

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clients = self.fields["clients"]
        team = self.fields["memberships"]
        assert isinstance(clients, forms.ModelMultipleChoiceField)
        assert isinstance(team, forms.ModelMultipleChoiceField)
        clients.queryset = group_clients(membership)
        team.queryset = (Membership.objects.filter(organization_id=membership.organization_id)
                         .exclude(role=Role.CLIENT).exclude(pk=membership.pk)
                         .select_related("user").order_by("user__name", "pk"))


def group_clients(membership: Membership) -> QuerySet[Client]:
    """The clients a member may put in a group: those they may see, archived ones left out."""
    return (clients_visible_to(membership).exclude(status=Client.Status.ARCHIVED)
            .order_by("first_name", "last_name", "pk"))
