"""Session ratings: a client rates a completed session they attended, once, 1–5 stars with an
optional comment, editable for 7 days. The coach's average and count come from these rows."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.scheduling.models import Booking, Coach, TrainingSession
from coachos.tenancy.models import Organization


class SessionRating(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="session_ratings")
    # One rating per attended place (a unique booking): a second POST is a conflict, also when two
    # arrive at once.
    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="rating")
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="ratings")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField(_("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="notes_rating_stars_range"),
        ]
        indexes = [models.Index(fields=["coach", "-created_at"], name="notes_rating_coach")]

    def __str__(self) -> str:
        return f"Session rating #{self.pk}"
