"""Ready-made automations a coach starts from (the form opens filled in; nothing is saved until
they press Save, and a recipe starts switched off so they can check whom it reaches first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Recipe:
    key: str
    title: Promise
    summary: Promise
    data: dict[str, Any]


RECIPES: dict[str, Recipe] = {r.key: r for r in (
    Recipe("win_back", _("Win-back after 30 days without a booking"),
           _("Each day at 10:00, clients who haven't had a session for 30 days get a friendly text, and you get a "
             "to-do to call them. Once per lapse: after their next booking and a new lapse, again."),
           {"name": "Win-back: 30 days without a booking", "trigger_type": "condition", "condition": "no_booking",
            "condition_days": 30, "time_of_day": time(10, 0), "statuses": ["active"],
            "actions": [
                {"type": "send_sms", "message_kind": "automation",
                 "text": "Hi {client_first_name}, we miss you at {business_name}! Ready for your next session? "
                         "Book here: {booking_link}"},
                {"type": "create_todo", "title": "Call {client_name}: no booking in 30 days", "due_in_days": 2},
            ]}),
    Recipe("birthday", _("Birthday message"),
           _("At 09:00 on a client's birthday, a text from you. Once a year."),
           {"name": "Birthday message", "trigger_type": "condition", "condition": "birthday",
            "time_of_day": time(9, 0), "statuses": ["active"],
            "actions": [
                {"type": "send_sms", "message_kind": "automation",
                 "text": "Happy birthday, {client_first_name}! Everyone at {business_name} wishes you a great year."},
            ]}),
    Recipe("low_credit", _("Low-credit nudge"),
           _("When a client's package is down to its last session, a personal note about renewing, and a to-do "
             "for you to offer the next package."),
           {"name": "Low-credit nudge", "trigger_type": "event", "event": "package.low_credits",
            "credits_threshold": 1, "statuses": ["active"],
            "actions": [
                {"type": "send_sms", "message_kind": "automation",
                 "text": "Hi {client_first_name}, your {package_name} is running low ({credits_left} left). "
                         "Want to keep going? Renew here: {portal_link}"},
                {"type": "create_todo", "title": "Offer {client_name} a new package", "due_in_days": 1},
            ]}),
    Recipe("review_request", _("Review request after the 5th session"),
           _("After each client's 5th completed session, an email asking for a short review."),
           {"name": "Review request after the 5th session", "trigger_type": "event", "event": "booking.completed",
            "session_number": 5, "statuses": [],
            "actions": [
                {"type": "send_email", "message_kind": "automation",
                 "subject": "How are we doing, {client_first_name}?",
                 "text": "Hi {client_first_name},\n\nThank you for your 5th session with {business_name}! Would you "
                         "leave us a short review? It helps other people find a coach they can trust.\n\n"
                         "Thank you!"},
            ]}),
    Recipe("missed_task", _("Check in after a missed task"),
           _("When a client misses a task you gave them (a day or a week without a tick, or a task past its due "
             "date), a to-do for you to check in. Once per missed day or week."),
           {"name": "Check in after a missed task", "trigger_type": "event", "event": "task.overdue",
            "statuses": ["active"],
            "actions": [
                {"type": "create_todo", "title": "Check in with {client_name}: a task was missed", "due_in_days": 1},
            ]}),
)}
