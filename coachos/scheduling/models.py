"""Scheduling: coaches and their availability, session types, rooms, sessions and bookings.

Instants are UTC (``starts_at``/``ends_at``); wall-clock times (``start_time``/``end_time``)
are in the business's zone.
"""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.tenancy.models import Membership, Organization


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Weekday(models.IntegerChoices):
    MON = 0, _("Monday")
    TUE = 1, _("Tuesday")
    WED = 2, _("Wednesday")
    THU = 3, _("Thursday")
    FRI = 4, _("Friday")
    SAT = 5, _("Saturday")
    SUN = 6, _("Sunday")


WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Coach(models.Model):
    """A member who coaches, with their booking settings (the design's CoachSettings)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="coaches")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="coach")
    display_name = models.CharField(_("name shown to clients"), max_length=120, blank=True)
    bio = models.TextField(_("bio"), blank=True)
    active = models.BooleanField(_("takes bookings"), default=True)
    default_session_minutes = models.PositiveIntegerField(
        _("default session length (minutes)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    buffer_before_minutes = models.PositiveIntegerField(_("buffer before (minutes)"), default=0,
                                                        validators=[MaxValueValidator(240)])
    buffer_after_minutes = models.PositiveIntegerField(_("buffer after (minutes)"), default=0,
                                                       validators=[MaxValueValidator(240)])
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=120,
                                                     validators=[MaxValueValidator(60 * 24 * 60)])
    horizon_days = models.PositiveIntegerField(_("booking horizon (days)"), default=60,
                                               validators=[MinValueValidator(1), MaxValueValidator(730)])
    max_per_day = models.PositiveIntegerField(_("maximum sessions per day"), null=True, blank=True,
                                              validators=[MinValueValidator(1)])
    max_per_week = models.PositiveIntegerField(_("maximum sessions per week"), null=True, blank=True,
                                               validators=[MinValueValidator(1)])
    slot_step_minutes = models.PositiveIntegerField(_("slot step (minutes)"), default=30,
                                                    validators=[MinValueValidator(5), MaxValueValidator(240)])
    cancellation_window_hours = models.PositiveIntegerField(
        _("cancellation window (hours)"), default=24, validators=[MaxValueValidator(24 * 30)],
        help_text=_("Clients may cancel or reschedule up to this long before a session."),
    )
    default_room = models.ForeignKey("Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    feed_token = models.CharField(max_length=64, default=new_feed_token, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return f"Coach #{self.pk}"

    @property
    def name(self) -> str:
        return self.display_name or self.membership.user.get_full_name()


class Room(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=80)
    capacity = models.PositiveIntegerField(
        _("sessions at once"), default=1, validators=[MinValueValidator(1)],
        help_text=_("How many sessions the room holds at the same time."),
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1e88e5."))


class PaymentMode(models.TextChoices):
    FREE = "free", _("Free")
    CREDIT = "credit", _("A package credit")
    PAY = "pay", _("Paid when booking")
    EITHER = "either", _("A credit or paid (the client chooses)")


class SessionType(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="session_types")
    name = models.CharField(_("name"), max_length=80)
    duration_minutes = models.PositiveIntegerField(_("length (minutes)"), default=60,
                                                   validators=[MinValueValidator(5), MaxValueValidator(720)])
    price_minor = models.PositiveIntegerField(_("price (in cents)"), default=0)
    capacity = models.PositiveIntegerField(_("capacity"), default=1, validators=[MinValueValidator(1)],
                                           help_text=_("1 for one-to-one; more for a group session."))
    color = models.CharField(_("colour"), max_length=7, default="#00895a", validators=[color_validator])
    location = models.CharField(_("location"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    bookable_online = models.BooleanField(_("clients can book online"), default=True)
    active = models.BooleanField(_("active"), default=True)
    # How a booking is settled when it is made (billing and credits act on it; see
    # docs/payments-at-booking.md): free, a package credit, paid (full price or a deposit), or
    # either (the client chooses).
    payment_mode = models.CharField(_("how it is paid"), max_length=10, choices=PaymentMode.choices,
                                    default=PaymentMode.FREE)
    deposit_minor = models.PositiveIntegerField(
        _("deposit (in cents)"), default=0,
        help_text=_("0: the full price is paid when booking. Otherwise the deposit is paid then, the rest at the "
                    "session."))
    new_clients_only = models.BooleanField(
        _("new clients only"), default=False,
        help_text=_("An intro offer: only clients who never booked before may book it."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.capacity > 1

    @property
    def charge_now_minor(self) -> int:
        """What a card booking charges when it is made: the deposit, else the full price."""
        if self.deposit_minor and self.deposit_minor < self.price_minor:
            return self.deposit_minor
        return self.price_minor


class WeeklyAvailability(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="weekly_availability")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    for_individual = models.BooleanField(_("one-to-one"), default=True)
    for_group = models.BooleanField(_("group"), default=False)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="weekly_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class BlockedSlot(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="blocked_slots")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="blocked_end_after_start")]
        indexes = [models.Index(fields=["coach", "starts_at"])]

    def __str__(self) -> str:
        return f"Blocked #{self.pk}"


class AvailabilityAddition(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="additions")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    for_individual = models.BooleanField(_("one-to-one"), default=True)
    for_group = models.BooleanField(_("group"), default=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="addition_end_after_start")]
        indexes = [models.Index(fields=["coach", "starts_at"])]

    def __str__(self) -> str:
        return f"Addition #{self.pk}"


class RecurringBooking(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="recurring_bookings")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="recurring_bookings")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("time"))
    start_date = models.DateField(_("first date"))
    end_date = models.DateField(_("last date"), null=True, blank=True)
    every_weeks = models.PositiveSmallIntegerField(_("every"), choices=[(1, _("week")), (2, _("two weeks"))],
                                                   default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    generated_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["weekday", "start_time"]
        indexes = [models.Index(fields=["status", "organization"])]

    def __str__(self) -> str:
        return f"Recurring booking #{self.pk}"


class TrainingSession(models.Model):
    """One concrete session on a coach's calendar. Group sessions hold several bookings."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.SCHEDULED, Status.COMPLETED, Status.NO_SHOW)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Coach, on_delete=models.PROTECT, related_name="sessions")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="sessions")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    recurring_booking = models.ForeignKey(RecurringBooking, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="sessions")
    notes = models.TextField(_("coach's note"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_end_after_start"),
            # A recurring booking makes at most one session per start (the daily job is idempotent).
            models.UniqueConstraint(fields=["recurring_booking", "starts_at"],
                                    condition=Q(recurring_booking__isnull=False), name="session_once_per_occurrence"),
        ]
        indexes = [models.Index(fields=["coach", "starts_at"]), models.Index(fields=["organization", "starts_at"])]

    def __str__(self) -> str:
        return f"Session #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class Booking(models.Model):
    """A client's place in a session."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED_BY_CLIENT = "cancelled_by_client", _("Cancelled by client")
        CANCELLED_BY_COACH = "cancelled_by_coach", _("Cancelled by coach")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")

    ACTIVE = (Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="bookings")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    late_cancellation = models.BooleanField(default=False)
    note = models.TextField(_("note from the client"), blank=True)
    client_confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "client"], condition=Q(status__in=["confirmed", "completed",
                                                                                          "no_show"]),
                                    name="booking_one_active_per_client"),
        ]

    def __str__(self) -> str:
        return f"Booking #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class SlotHold(models.Model):
    """A slot held for 10 minutes while a client completes the booking form."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="holds")
    session_type = models.ForeignKey(SessionType, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"Hold #{self.pk}"


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a spot")
        BOOKED = "booked", _("Booked")
        EXPIRED = "expired", _("Offer expired")
        LEFT = "left", _("Left the waitlist")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="waitlist")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="waitlist_entries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "client"], condition=Q(status__in=["waiting", "offered"]),
                                    name="waitlist_once_per_client"),
        ]

    def __str__(self) -> str:
        return f"Waitlist entry #{self.pk}"


class ClientFeed(models.Model):
    """A client's private iCal feed token."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    objects = ScopedManager(organization="organization")

    def __str__(self) -> str:
        return f"Client feed #{self.pk}"


class SkippedOccurrence(models.Model):
    """An occurrence of a recurring booking that the daily job could not book (time off, a clash).

    Recorded once per (recurring booking, start), so the job never records or announces it twice;
    the coach sees it on the Conflicts page and books another time or dismisses it."""

    class Reason(models.TextChoices):
        BLOCKED = "blocked", _("The coach is away")
        CLASH = "clash", _("The time is taken")

    class Status(models.TextChoices):
        OPEN = "open", _("To decide on")
        REBOOKED = "rebooked", _("Booked at another time")
        DISMISSED = "dismissed", _("Dismissed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recurring_booking = models.ForeignKey(RecurringBooking, on_delete=models.CASCADE, related_name="skipped")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="skipped_occurrences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    detail = models.CharField(max_length=20, blank=True)  # the slot engine's reason (taken, limit, …)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    rebooked_session = models.ForeignKey(TrainingSession, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["recurring_booking", "starts_at"], name="skipped_once_per_occurrence"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="skipped_end_after_start"),
        ]
        indexes = [models.Index(fields=["coach", "status", "starts_at"])]

    def __str__(self) -> str:
        return f"Skipped occurrence #{self.pk}"
