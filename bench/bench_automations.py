"""The automations scheduler at size: 1,000 businesses × 20 automations, 100,000 clients.

Each business has 100 clients (birthdays, a last session somewhere in the past 5 weeks, some
packages, a VIP tag on 5), and 20 automations: 4 on a schedule, 10 condition checks, 6 on events.
The history is a steady state: occurrences already acted on have their ConditionFire rows, so a
day's check finds what is new today (a couple of lapses, birthdays, expiring packages per business).

Figures (printed, never asserted):
- an idle tick (nothing due): what every minute costs;
- the busy tick: all 14,000 timed automations due in the same minute (the worst case: in life they
  spread over the day), claimed in batches of 1,000 and run business by business, inline — the
  same code the Celery task runs. THE SCHEDULER'S TICK (target ≤ 10 s) is its own work: claiming,
  recording the runs, working out whom each run reaches and recording what each did (including
  each business's commit). THE ACTIONS are shown separately: the runs' actions (messages written
  to the outbox as in production, tags, to-dos, notes to the team) and telling the team about runs
  that failed or were only partly done. Sending the messages is the messaging worker's job and is
  left out (its kick after commit is switched off here).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as wall
from typing import Any

from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from coachos.accounts.models import User
from coachos.automations import engine, runner
from coachos.automations.audience import Target, condition_target, load_facts
from coachos.automations.models import Automation, AutomationRun, ConditionFire, Todo
from coachos.clients.models import Client, Tag
from coachos.comms import outbox
from coachos.comms.models import Notification, OutboundMessage
from coachos.credits.models import ClientPackage
from coachos.scheduling.models import Booking, Coach, SessionType, TrainingSession
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

BUSINESSES, CLIENTS_PER_BUSINESS = 1000, 100
ZONES = ["America/Chicago", "America/New_York", "America/Los_Angeles", "Europe/London", "Australia/Sydney"]
SMS = {"type": "send_sms", "message_kind": "automation", "text": "Hi {client_first_name}! {business_name}"}
TODO = {"type": "create_todo", "title": "Call {client_name}", "due_in_days": 1}


def _automations(org: Organization, vip: Tag) -> list[tuple[dict[str, Any], bool]]:
    """(fields, filtered by the VIP tag) for the business's 20 automations."""
    schedule = dict(trigger_type="schedule", time_of_day=wall(9))
    condition = dict(trigger_type="condition", time_of_day=wall(9))
    return [
        ({**schedule, "name": "VIP call list", "frequency": "daily", "actions": [TODO]}, True),
        ({**schedule, "name": "VIP weekly note", "frequency": "weekly", "weekdays": [0, 3], "actions": [SMS]}, True),
        ({**schedule, "name": "VIP monthly", "frequency": "monthly", "day_of_month": 31,
          "actions": [{"type": "add_tag", "tag": "VIP club"}]}, True),
        ({**schedule, "name": "Leads digest", "frequency": "daily", "statuses": ["lead"],
          "actions": [{"type": "notify_team", "text": "Leads to follow up"}]}, False),
        ({**condition, "name": "Birthday text", "condition": "birthday", "actions": [SMS]}, False),
        ({**condition, "name": "Birthday call", "condition": "birthday", "actions": [TODO]}, True),
        ({**condition, "name": "Win-back 30", "condition": "no_booking", "condition_days": 30,
          "actions": [SMS, TODO]}, False),
        ({**condition, "name": "Win-back 60", "condition": "no_booking", "condition_days": 60, "actions": [TODO]},
         False),
        ({**condition, "name": "Quiet 21 days", "condition": "no_booking", "condition_days": 21,
          "actions": [{"type": "add_tag", "tag": "Quiet"}]}, False),
        ({**condition, "name": "Expiring soon", "condition": "package_expires", "condition_days": 7,
          "actions": [SMS]}, False),
        ({**condition, "name": "Expiring in 3", "condition": "package_expires", "condition_days": 3,
          "actions": [TODO]}, False),
        ({**condition, "name": "Low credits", "condition": "low_credits", "credits_threshold": 1,
          "actions": [SMS]}, False),
        ({**condition, "name": "Out of credits", "condition": "low_credits", "credits_threshold": 0,
          "actions": [TODO]}, False),
        ({**condition, "name": "VIP lapse", "condition": "no_booking", "condition_days": 10,
          "actions": [TODO]}, True),
    ] + [({"trigger_type": "event", "name": f"Event {event}", "event": event, "actions": [TODO]}, False)
         for event in ("booking.created", "booking.cancelled", "client.created", "waiver.signed", "payment.failed",
                       "package.granted")]


def _build(now: datetime) -> list[Organization]:
    rng = random.Random(7)
    with scopes_disabled():
        orgs = Organization.objects.bulk_create(
            Organization(name=f"Auto {n}", slug=f"auto-{n}", timezone=ZONES[n % len(ZONES)],
                         sms_number=f"+1555{n:07d}") for n in range(BUSINESSES))
        users = User.objects.bulk_create(User(email=f"owner{n}@auto.example", name=f"Owner {n}", password="!")
                                         for n in range(BUSINESSES))
        memberships = Membership.objects.bulk_create(Membership(organization=o, user=u, role=Role.OWNER)
                                                     for o, u in zip(orgs, users, strict=True))
        coaches = Coach.objects.bulk_create(Coach(organization_id=m.organization_id, membership=m) for m in memberships)
        types = SessionType.objects.bulk_create(SessionType(organization=o, name="PT", duration_minutes=60)
                                                for o in orgs)
        clients = Client.objects.bulk_create(
            (Client(organization=o, first_name=f"C{n}", last_name=f"B{o.pk}", email=f"c{n}@b{o.pk}.example",
                    phone=f"+1312{(o.pk * 100 + n) % 10_000_000:07d}", sms_consent=n % 3 != 0,
                    status="lead" if n % 40 == 0 else "active",
                    birthday=date(1980 + n % 30, 1, 1) + timedelta(days=rng.randrange(365)) if n % 5 else None)
             for o in orgs for n in range(CLIENTS_PER_BUSINESS)), batch_size=5000)
        Client.objects.update(created_at=now - timedelta(days=400))
        by_org: dict[int, list[Client]] = {}
        for client in clients:
            by_org.setdefault(client.organization_id, []).append(client)
        # A last session per client over the past 5 weeks, 1 hour each, never overlapping for the coach.
        sessions, booked = [], []
        for org, coach, session_type in zip(orgs, coaches, types, strict=True):
            slots = rng.sample(range(24 * 35), CLIENTS_PER_BUSINESS)
            for client, slot in zip(by_org[org.pk], slots, strict=True):
                start = (now - timedelta(hours=slot + 1)).replace(minute=0, second=0, microsecond=0)
                sessions.append(TrainingSession(organization=org, coach=coach, session_type=session_type,
                                                starts_at=start, ends_at=start + timedelta(hours=1),
                                                status="completed"))
                booked.append(client)
        sessions = TrainingSession.objects.bulk_create(sessions, batch_size=5000)
        Booking.objects.bulk_create((Booking(organization_id=s.organization_id, session=s, client=c, status="completed")
                                     for s, c in zip(sessions, booked, strict=True)), batch_size=5000)
        packages = []
        for org in orgs:
            for client in rng.sample(by_org[org.pk], 20):
                packages.append(ClientPackage(organization=org, client=client, name="10 sessions", total=10,
                                              remaining=rng.choice([0, 1, 2, 4, 6, 8, 10]),
                                              expires_at=now + timedelta(days=rng.randrange(1, 90))))
        ClientPackage.objects.bulk_create(packages, batch_size=5000)
        vips = Tag.objects.bulk_create(Tag(organization=o, name="VIP") for o in orgs)
        Tag.objects.bulk_create(Tag(organization=o, name=name) for o in orgs for name in ("VIP club", "Quiet"))
        Client.tags.through.objects.bulk_create(
            (Client.tags.through(client_id=c.pk, tag_id=tag.pk) for tag in vips
             for c in by_org[tag.organization_id][:5]), batch_size=5000)
        automations, tagged = [], []
        for org, vip in zip(orgs, vips, strict=True):
            for fields, vip_only in _automations(org, vip):
                fields = {"enabled": True, "statuses": fields.get("statuses", ["active"]), **fields}
                automation = Automation(organization=org, **fields)
                automation.next_run_at = now - timedelta(seconds=30) if automation.is_timed else None
                automations.append(automation)
                tagged.append(vip if vip_only else None)
        automations = Automation.objects.bulk_create(automations, batch_size=5000)
        Automation.tags.through.objects.bulk_create(
            (Automation.tags.through(automation_id=a.pk, tag_id=t.pk) for a, t in zip(automations, tagged, strict=True)
             if t is not None), batch_size=5000)
        _steady_state(orgs, automations, now)
    return orgs


def _steady_state(orgs: list[Organization], automations: list[Automation], now: datetime) -> None:
    """Every occurrence that began before today was acted on when it began (its ConditionFire),
    as it would have been by the daily checks of the days before."""
    yesterday = now - timedelta(days=1)
    by_org: dict[int, list[Automation]] = {}
    for automation in automations:
        if automation.trigger_type == "condition":
            by_org.setdefault(automation.organization_id, []).append(automation)
    fires = []
    for org in orgs:
        mine = by_org[org.pk]
        tags = {a.pk: set() for a in mine}
        facts = load_facts(organization=org, automations=mine, tags=tags, now=yesterday)
        for automation in mine:
            for client in facts.clients.values():
                target: Target | None = condition_target(automation, client, facts)
                if target is not None:
                    fires.append(ConditionFire(organization=org, automation=automation, client_id=client.id,
                                               key=target.key, fired_at=yesterday))
    ConditionFire.objects.bulk_create(fires, batch_size=5000, ignore_conflicts=True)


ACTING = [0]  # > 0 while a run's actions (or the team's notice of a failed run) are being done


class Counting:
    def __init__(self) -> None:
        self.queries = 0
        self.in_actions = 0  # of them, issued by the actions

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        self.in_actions += 1 if ACTING[0] else 0
        return execute(sql, params, many, context)


class Timed:
    """Wraps a function of a module to add up the time spent in it (and count the calls)."""

    def __init__(self, module: Any, name: str, *, acting: bool = False) -> None:
        self.seconds, self.calls = 0.0, 0
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            ACTING[0] += acting
            try:
                return original(*args, **kwargs)
            finally:
                ACTING[0] -= acting
                self.seconds += time.perf_counter() - began
                self.calls += 1

        setattr(module, name, timed)


TARGET_S = 10.0


def run() -> list[tuple[str, str]]:
    now = timezone.now().replace(second=0, microsecond=0)
    started = time.perf_counter()
    orgs = _build(now)
    build_s = time.perf_counter() - started
    outbox._kick = lambda message_id: None  # type: ignore[assignment]  (the messaging worker sends them)
    # The actions: each run's actions (messages through the outbox, tags, to-dos, notes to the team),
    # and telling the team about runs that failed or were only partly done.
    writes = Timed(runner.outbox, "enqueue")
    acting = Timed(runner, "perform", acting=True)
    telling = Timed(runner, "notify_failure", acting=True)

    with scopes_disabled():
        due = Automation.objects.filter(enabled=True, next_run_at__lte=now).count()
        fires_before = ConditionFire.objects.count()

    idle = Counting()
    with connection.execute_wrapper(idle):
        began = time.perf_counter()
        engine.tick(now=now - timedelta(minutes=5))
        idle_ms = (time.perf_counter() - began) * 1000

    # 1. The every-minute job: claim what is due, record the runs, hand each batch to a worker.
    handed: list[list[int]] = []
    claim = Counting()
    with connection.execute_wrapper(claim):
        began = time.perf_counter()
        totals = engine.tick(now=now, dispatch=handed.append)
        claim_s = time.perf_counter() - began
    # 2. The workers' tasks (one per claimed batch of ≤ 1,000 runs), here one after another in this process.
    work = Counting()
    with connection.execute_wrapper(work):
        began = time.perf_counter()
        for run_ids in handed:
            engine.run_due(run_ids)
        work_s = time.perf_counter() - began

    with scopes_disabled():
        statuses = Counter(AutomationRun.objects.values_list("status", flat=True))
        messages = OutboundMessage.objects.filter(client__isnull=False).count()
        suppressed = OutboundMessage.objects.filter(client__isnull=False, status="suppressed").count()
        todos = Todo.objects.count()
        fires = ConditionFire.objects.count() - fires_before
        reached = sum(AutomationRun.objects.values_list("clients_reached", flat=True))
        still_due = Automation.objects.filter(next_run_at__lte=now).count()
        told = Notification.objects.filter(kind="automation_failed").count()
    actions_s = acting.seconds + telling.seconds
    evaluate_s = work_s - actions_s
    scheduler_s = claim_s + evaluate_s
    per_message = writes.seconds / writes.calls * 1000 if writes.calls else 0.0
    verdict = "met" if scheduler_s <= TARGET_S else "NOT MET"
    tasks = max(len(handed), 1)
    own_queries = work.queries - work.in_actions
    return [
        ("data", f"{len(orgs):,} businesses, {BUSINESSES * CLIENTS_PER_BUSINESS:,} clients, "
                 f"{BUSINESSES * 20:,} automations (built in {build_s:.0f} s)"),
        ("idle tick (nothing due)", f"{idle_ms:.1f} ms, {idle.queries} queries"),
        ("busy minute: automations due at once (worst case)", f"{due:,} (schedule and daily condition checks)"),
        ("THE SCHEDULER'S TICK: claim + evaluate + record runs", f"{scheduler_s:.2f} s — target ≤ {TARGET_S:.0f} s: "
                                                                 f"{verdict}"),
        ("  claim, record the runs, dispatch (the every-minute job)", f"{claim_s:.2f} s, {claim.queries:,} queries, "
                                                                      f"{totals.get('runs', 0):,} runs in "
                                                                      f"{len(handed):,} tasks"),
        ("  evaluate audiences + record what each run did (tasks)", f"{evaluate_s:.2f} s, {own_queries:,} queries "
                                                                     f"({own_queries / tasks:.0f} PER TASK of ≤ "
                                                                     f"{engine.CLAIM_BATCH:,} runs)"),
        ("THE ACTIONS, separately (not part of the target)", f"{actions_s:.2f} s, {work.in_actions:,} queries "
                                                             f"({work.in_actions / tasks:.0f} per task)"),
        ("  doing the runs' actions", f"{acting.seconds:.2f} s for {acting.calls:,} runs with someone to reach"),
        ("  telling the team of failed or partly done runs", f"{telling.seconds:.2f} s, {told:,} bell entries"),
        ("  of the two, writing to the outbox (comms)", f"{writes.seconds:.2f} s for {writes.calls:,} messages "
                                                        f"({per_message:.1f} ms each)"),
        ("end to end, every batch one after another in one process", f"{claim_s + work_s:.2f} s "
                                                                      "(in production each batch is its own task, "
                                                                      "on any worker)"),
        ("runs recorded", ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items()))),
        ("new occurrences acted on (condition fires)", f"{fires:,}"),
        ("messages to clients (of them not sent: no consent); to-dos", f"{messages:,} ({suppressed:,}); {todos:,}"),
        ("clients fully reached", f"{reached:,}"),
        ("still due after the tick (must be 0)", f"{still_due}"),
    ]
