"""The back office's dashboard: a page made of several apps' parts (tenancy's team and invitations,
the scheduling day, the clients' credit cards, the books' money), so it lives on the top floor."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coachos.accounts.models import Invitation
from coachos.books.selectors import dashboard_money
from coachos.clients.selectors import clients_visible_to
from coachos.progress.selectors.tasks import overdue_tasks
from coachos.scheduling.models import Coach
from coachos.tenancy.access import org_view
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Perm, Role

from .checklist import setup_steps
from .selectors import dashboard_attention, dashboard_counts, dashboard_sessions

OVERDUE_SHOWN = 8  # overdue tasks listed under "Needs attention"; the card counts them all


def _coach_choice(request: HttpRequest, coaches: list[Coach]) -> tuple[Coach | None, bool]:
    """The coach whose day is shown, and whether the person may choose. A coach sees their own
    day; an owner or the front desk picks one coach or all (``?coach=<id>|all``, default all)."""
    membership = request.membership
    own = next((c for c in coaches if c.membership_id == membership.pk), None)
    if membership.role == Role.COACH:
        return own, False
    wanted = request.GET.get("coach", "all")
    return next((c for c in coaches if str(c.pk) == wanted), None), True


@org_view(Perm.BACKOFFICE)
def dashboard(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    membership = request.membership
    team = Membership.objects.exclude(role=Role.CLIENT).count()
    clients = (clients_visible_to(membership).filter(user__isnull=False).count() if membership.own_clients_only
               else Membership.objects.filter(role=Role.CLIENT).count())
    pending = Invitation.objects.filter(status=Invitation.Status.PENDING).count()
    steps = [s for s in setup_steps(organization=organization) if membership.has(s.perm)]
    coaches = list(Coach.objects.select_related("membership__user").order_by("display_name", "pk"))
    coach, can_choose = _coach_choice(request, coaches)
    with_money = membership.has(Perm.MONEY)
    today = timezone.localtime(timezone.now(), organization.tzinfo).date()
    no_calendar = coach is None and not can_choose  # a coach who takes no bookings has no day
    visible = clients_visible_to(membership) if membership.own_clients_only else None

    def day(offset: int) -> dict[str, object]:
        date = today + timedelta(days=offset)
        sessions = [] if no_calendar else dashboard_sessions(organization=organization, day=date, coach=coach,
                                                             clients=visible)
        return {"date": date, "is_today": offset == 0, "sessions": sessions}

    # The clients' tasks not done in time (only the clients this member may see), longest overdue first.
    overdue = overdue_tasks(membership, today=today)
    money = dashboard_money(organization=organization) if with_money else None
    if money is not None and visible is not None:  # the renewals name clients: only theirs
        theirs = set(visible.filter(pk__in=[r.client_id for r in money.renewals]).values_list("pk", flat=True))
        money = replace(money, renewals=[r for r in money.renewals if r.client_id in theirs])

    return render(
        request, "site/dashboard.html",
        {"team_count": team, "client_count": clients, "pending_count": pending, "steps": steps,
         "all_done": all(s.done for s in steps),
         "steps_left": sum(1 for s in steps if not s.done), "credit_counts": dashboard_counts(base=visible),
         "coaches": coaches, "coach": coach, "can_choose_coach": can_choose,
         "no_calendar": no_calendar, "days": [day(0), day(1)],
         "attention": dashboard_attention(organization=organization, coach=coach, coaches=[] if no_calendar else coaches,
                                          with_money=with_money, base=visible),
         "money": money, "overdue_tasks": overdue[:OVERDUE_SHOWN], "overdue_count": len(overdue)},
    )
