"""Every kind of message the platform sends, with its default wording per channel.

A business may replace the wording (``MessageTemplate``); the variables are the same. Wording uses
``{variable}`` placeholders — easy for a coach to write, and nothing in them can run code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coachos.common.text import sentence

VARIABLES: dict[str, Promise] = {
    "client_first_name": _("the client's first name"),
    "client_name": _("the client's full name"),
    "business_name": _("your business's name"),
    "business_phone": _("your business's phone number"),
    "coach_name": _("the coach's name"),
    "session_type": _("the kind of session, e.g. Personal training"),
    "session_date": _("the session's date, e.g. Tuesday 24 November"),
    "session_time": _("the session's start time, e.g. 5:30 PM"),
    "session_location": _("where the session takes place"),
    "old_session_date": _("the date before a reschedule"),
    "old_session_time": _("the time before a reschedule"),
    "link": _("the link that goes with the message (booking, portal, payment…)"),
    "portal_link": _("the client's portal"),
    "booking_link": _("your public booking page"),
    "credits_left": _("sessions left on the client's package"),
    "package_name": _("the package's name"),
    "expires_on": _("when the package or offer expires"),
    "amount": _("an amount of money, e.g. $120.00"),
    "message": _("a message you type when sending"),
    "inviter": _("who sent the invitation"),
    "role": _("the role an invitation offers, e.g. coach"),
}

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    # Default wording, translated lazily: it is worded in the language active when a message is made.
    sms: str | Promise = ""
    subject: str | Promise = ""
    email: str | Promise = ""
    audience: str = "client"  # client | team
    promotional: bool = False
    requested: bool = False  # the client's own action caused it (quiet-hours exemption may apply)
    booking: bool = False  # related object is a Booking: the email carries an .ics and the links point to it
    notify_default: tuple[str, ...] = ("in_app", "email")  # default channels for notification preferences
    variables: tuple[str, ...] = field(default=())


def _k(key: str, label: Promise, **kwargs: object) -> Kind:
    return Kind(key, label, **kwargs)  # type: ignore[arg-type]


KINDS: dict[str, Kind] = {k.key: k for k in (
    # Not ``requested`` by default: only a booking the client made themselves (public page, portal)
    # passes quiet hours, and the listener says so per message (comms/listeners.py). Reply Y: inbound.py.
    _k("booking_confirmation", _("Booking confirmation"), booking=True,
       sms=_("Hi {client_first_name}, you're booked for {session_type} on {session_date} at {session_time} "
           "with {coach_name}. Reply Y to confirm. Manage it: {link}"),
       subject=_("Booked: {session_type} on {session_date} at {session_time}"),
       email=_("Hi {client_first_name},\n\nYou're booked for {session_type} with {coach_name} on {session_date} "
             "at {session_time}.\n\nWhere: {session_location}\n\nNeed to change it? {link}\n\nSee you then,\n"
             "{business_name}")),
    _k("reminder_24h", _("Reminder 24 hours before"), booking=True,
       sms=_("Reminder: {session_type} with {coach_name} tomorrow, {session_date} at {session_time}. "
           "Reply Y to confirm. {business_name}"),
       subject=_("Tomorrow: {session_type} at {session_time}"),
       email=_("Hi {client_first_name},\n\nA reminder that you have {session_type} with {coach_name} on "
             "{session_date} at {session_time}.\n\nWhere: {session_location}\n\nCan't make it? {link}\n\n"
             "{business_name}")),
    _k("reminder_2h", _("Reminder 2 hours before"), booking=True,
       sms=_("See you soon! {session_type} with {coach_name} today at {session_time}. Reply Y to confirm. "
           "{business_name}"),
       subject=_("Today at {session_time}: {session_type}"),
       email=_("Hi {client_first_name},\n\nSee you soon: {session_type} with {coach_name} today at "
             "{session_time}.\n\nWhere: {session_location}\n\n{business_name}")),
    _k("follow_up", _("Follow-up after a session"), booking=True,
       sms=_("Thanks for training with us today, {client_first_name}! Book your next session: {booking_link}"),
       subject=_("Thanks for today, {client_first_name}"),
       email=_("Hi {client_first_name},\n\nThanks for your {session_type} session today. Ready for the next "
             "one? {booking_link}\n\n{business_name}")),
    _k("cancellation", _("Cancellation"), booking=True,
       sms=_("Your {session_type} on {session_date} at {session_time} is cancelled. Book another time: "
           "{booking_link} {business_name}"),
       subject=_("Cancelled: {session_type} on {session_date}"),
       email=_("Hi {client_first_name},\n\nYour {session_type} with {coach_name} on {session_date} at "
             "{session_time} is cancelled.\n\nBook another time: {booking_link}\n\n{business_name}")),
    _k("reschedule", _("Reschedule"), booking=True,
       sms=_("Your {session_type} moved from {old_session_date} {old_session_time} to {session_date} at "
           "{session_time}. {link} {business_name}"),
       subject=_("Moved: {session_type} is now {session_date} at {session_time}"),
       email=_("Hi {client_first_name},\n\nYour {session_type} with {coach_name} has moved from "
             "{old_session_date} at {old_session_time} to {session_date} at {session_time}.\n\n"
             "Manage it: {link}\n\n{business_name}")),
    _k("waitlist_offer", _("Waitlist offer"), booking=True,
       sms=_("A spot opened for {session_type} on {session_date} at {session_time}. It's yours until "
           "{expires_on}: {link} {business_name}"),
       subject=_("A spot opened: {session_type} on {session_date}"),
       email=_("Hi {client_first_name},\n\nA spot opened for {session_type} on {session_date} at "
             "{session_time}. It is held for you until {expires_on}.\n\nTake it: {link}\n\n{business_name}")),
    _k("recurring_skipped", _("A regular session could not be booked"),
       sms=_("{business_name}: we couldn't book your usual {session_type} on {session_date} at {session_time}. "
           "We'll be in touch, or book another time: {link}"),
       subject=_("We couldn't book your {session_type} on {session_date}"),
       email=_("Hi {client_first_name},\n\nWe couldn't book your usual {session_type} with {coach_name} on "
             "{session_date} at {session_time}. We'll be in touch, or you can book another time: {link}\n\n"
             "{business_name}")),
    _k("low_credits", _("Low credits"),
       sms=_("Heads up {client_first_name}: {package_name} is running low ({credits_left} left). Top up: {link} "
           "{business_name}"),
       subject=_("{package_name} is running low: {credits_left} left"),
       email=_("Hi {client_first_name},\n\nYour {package_name} is running low: {credits_left} left "
             "(valid until {expires_on}).\n\nTop up: {link}\n\n{business_name}")),
    _k("invitation", _("Invitation"),
       sms=_("{business_name} invited you to book and manage your sessions online: {link}"),
       subject=_("{business_name} invited you"),
       email=_("Hi {client_first_name},\n\n{business_name} invited you to their client portal, where you can "
             "book sessions, sign forms and keep track of your packages.\n\nAccept: {link} (the link expires "
             "{expires_on})\n\n"
             "{business_name}")),
    # An invitation to join the team (coach, staff, owner). Someone on the team is waiting for it,
    # like a client's own booking confirmation: ``requested`` lets it through quiet hours.
    _k("team_invitation", _("Team invitation"), requested=True,
       subject=_("{inviter} invited you to {business_name} on Coach OS"),
       email=_("{inviter} invited you to join {business_name} on Coach OS as {role}.\n\nAccept: {link} "
             "(the link expires {expires_on})")),
    _k("receipt", _("Receipt"), requested=True,
       sms=_("Thanks for your payment of {amount} to {business_name}. Receipt: {link}"),
       subject=_("Your receipt from {business_name}"),
       email=_("Hi {client_first_name},\n\nThanks for your payment of {amount}. Your receipt is attached and "
             "in your portal: {link}\n\n{business_name}")),
    _k("payment_failed", _("Payment failed"),
       sms=_("{business_name}: your payment of {amount} didn't go through. Update your card: {link}"),
       subject=_("Your payment to {business_name} didn't go through"),
       email=_("Hi {client_first_name},\n\nYour payment of {amount} didn't go through. Please update your "
             "card so your membership continues: {link}\n\n{business_name}")),
    _k("payment_link", _("Payment link"),
       sms=_("{business_name}: pay for {package_name} ({amount}) here: {link}"),
       subject=_("Your {package_name} from {business_name}"),
       email=_("Hi {client_first_name},\n\nHere is the link to pay for {package_name} ({amount}):\n{link}\n\n"
             "{business_name}")),
    _k("custom", _("Message from your coach"),
       sms="{message}",
       subject=_("A message from {business_name}"),
       email=_("{message}\n\n{business_name}")),
    _k("promotion", _("News and offers"), promotional=True,
       sms="{message}",
       subject=_("News from {business_name}"),
       email=_("{message}\n\n{business_name}")),
    _k("confirm_reply", _("Reply to a Y confirmation"), requested=True,
       sms=_("Thanks {client_first_name}, you're confirmed for {session_date} at {session_time}. {business_name}")),
    _k("confirm_none_reply", _("Reply when there is nothing to confirm"), requested=True,
       sms=_("Thanks! We couldn't find an upcoming session to confirm. Questions? Call {business_phone}. "
           "{business_name}")),
    _k("help_reply", _("Reply to HELP"), requested=True,
       sms=_("{business_name}: session reminders and updates. Call {business_phone} for help. Reply STOP to "
           "opt out, START to opt back in. Msg&data rates may apply.")),
    _k("start_reply", _("Reply to START (texts back on)"), requested=True,
       sms=_("{business_name}: you'll get texts from us again. Reply HELP for help, STOP to opt out.")),
    # The one-time code a visitor of the public booking page confirms their email with
    # (comms/listeners_public.py). Audience "visitor": not a client yet, so the business cannot
    # edit or switch it off (booking online needs it), and quiet hours never hold it.
    _k("booking_email_code", _("Booking code by email"), audience="visitor", requested=True,
       subject=_("Your code to book with {business_name}"),
       email=_("Your code to confirm your booking with {business_name} is:\n\n{code}\n\nIt works for "
             "{minutes} minutes. If you did not ask for it, ignore this email: nothing is booked without it."
             "\n\n{business_name}")),
    # Messages to the team (notifications; wording is not edited per business).
    _k("client_booked", _("A client booked"), audience="team",
       subject=_("{client_name} booked {session_type} on {session_date} at {session_time}")),
    _k("client_cancelled", _("A client cancelled"), audience="team",
       subject=_("{client_name} cancelled {session_type} on {session_date} at {session_time}")),
    _k("client_confirmed", _("A client confirmed by text"), audience="team", notify_default=("in_app",),
       subject=_("{client_name} confirmed {session_type} on {session_date} at {session_time}")),
    _k("client_message", _("A client sent a text"), audience="team",
       subject=_("Text from {client_name}: {message}")),
    _k("purchase_flagged", _("A payment needs checking"), audience="team",
       subject=_("A payment from {client_name} needs checking: {message}")),
    _k("payment_failed_team", _("A client's payment failed"), audience="team",
       subject=_("{client_name}'s payment of {amount} failed")),
    _k("recurring_skipped_team", _("A regular session was skipped"), audience="team",
       subject=_("{client_name}'s {session_type} on {session_date} at {session_time} was not booked ({message})")),
    _k("automation_failed", _("An automation failed"), audience="team",
       subject="{message}"),
)}

CLIENT_EDITABLE = [k for k in KINDS.values() if k.audience == "client"]


def kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"unknown message kind {key!r}") from None


def register(new: Kind) -> None:
    """Other apps may add kinds of their own (e.g. automations)."""
    KINDS[new.key] = new


def unknown_variables(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in VARIABLES})


def render(text: str | Promise, variables: dict[str, str]) -> str:
    """Fill ``{variable}`` placeholders; an unknown or missing one becomes empty, never an error."""
    rendered = PLACEHOLDER.sub(lambda m: str(variables.get(m.group(1), "")), str(text))
    return sentence(re.sub(r"[ \t]{2,}", " ", rendered).strip())
