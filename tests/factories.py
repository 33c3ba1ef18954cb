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


# --- scheduling -------------------------------------------------------------------------------
from coachos.scheduling.models import (  # noqa: E402
    AvailabilityAddition,
    BlockedSlot,
    Booking,
    ClientFeed,
    Coach,
    RecurringBooking,
    Room,
    SessionType,
    SkippedOccurrence,
    SlotHold,
    TrainingSession,
    WaitlistEntry,
    WeeklyAvailability,
)


class CoachFactory(ScopedFactory):
    class Meta:
        model = Coach

    organization = factory.SubFactory(OrganizationFactory)
    membership = factory.LazyAttribute(
        lambda o: MembershipFactory(organization=o.organization, role=Role.COACH)
    )
    min_notice_minutes = 0


class RoomFactory(ScopedFactory):
    class Meta:
        model = Room

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Studio {n}")


class SessionTypeFactory(ScopedFactory):
    class Meta:
        model = SessionType

    organization = factory.SubFactory(OrganizationFactory)
    name = "Personal training"
    duration_minutes = 60
    price_minor = 8000


class WeeklyAvailabilityFactory(ScopedFactory):
    class Meta:
        model = WeeklyAvailability

    coach = factory.SubFactory(CoachFactory)
    organization = factory.SelfAttribute("coach.organization")
    weekday = 0
    start_time = factory.LazyFunction(lambda: __import__("datetime").time(9))
    end_time = factory.LazyFunction(lambda: __import__("datetime").time(17))


def _hour_from_now(hours: int = 24):
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.now() + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


class BlockedSlotFactory(ScopedFactory):
    class Meta:
        model = BlockedSlot

    coach = factory.SubFactory(CoachFactory)
    organization = factory.SelfAttribute("coach.organization")
    starts_at = factory.LazyFunction(lambda: _hour_from_now(48))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + __import__("datetime").timedelta(hours=2))


class AvailabilityAdditionFactory(BlockedSlotFactory):
    class Meta:
        model = AvailabilityAddition


class TrainingSessionFactory(ScopedFactory):
    class Meta:
        model = TrainingSession

    coach = factory.SubFactory(CoachFactory)
    organization = factory.SelfAttribute("coach.organization")
    session_type = factory.LazyAttribute(lambda o: SessionTypeFactory(organization=o.organization))
    starts_at = factory.Sequence(lambda n: _hour_from_now(24 + 2 * n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + __import__("datetime").timedelta(hours=1))


class BookingFactory(ScopedFactory):
    class Meta:
        model = Booking

    session = factory.SubFactory(TrainingSessionFactory)
    organization = factory.SelfAttribute("session.organization")
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))


class RecurringBookingFactory(ScopedFactory):
    class Meta:
        model = RecurringBooking

    coach = factory.SubFactory(CoachFactory)
    organization = factory.SelfAttribute("coach.organization")
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))
    session_type = factory.LazyAttribute(lambda o: SessionTypeFactory(organization=o.organization))
    weekday = 1
    start_time = factory.LazyFunction(lambda: __import__("datetime").time(10))
    start_date = factory.LazyFunction(lambda: _hour_from_now(0).date())


class SlotHoldFactory(ScopedFactory):
    class Meta:
        model = SlotHold

    coach = factory.SubFactory(CoachFactory)
    organization = factory.SelfAttribute("coach.organization")
    session_type = factory.LazyAttribute(lambda o: SessionTypeFactory(organization=o.organization))
    starts_at = factory.LazyFunction(lambda: _hour_from_now(30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + __import__("datetime").timedelta(hours=1))
    expires_at = factory.LazyFunction(lambda: _hour_from_now(1))


class WaitlistEntryFactory(ScopedFactory):
    class Meta:
        model = WaitlistEntry

    session = factory.SubFactory(TrainingSessionFactory)
    organization = factory.SelfAttribute("session.organization")
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))


class ClientFeedFactory(ScopedFactory):
    class Meta:
        model = ClientFeed

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")


class SkippedOccurrenceFactory(ScopedFactory):
    class Meta:
        model = SkippedOccurrence

    recurring_booking = factory.SubFactory(RecurringBookingFactory)
    organization = factory.SelfAttribute("recurring_booking.organization")
    coach = factory.SelfAttribute("recurring_booking.coach")
    client = factory.SelfAttribute("recurring_booking.client")
    starts_at = factory.Sequence(lambda n: _hour_from_now(24 * 7 + 2 * n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + __import__("datetime").timedelta(hours=1))
    reason = "blocked"


TENANT_FACTORIES.update({
    Coach: CoachFactory,
    Room: RoomFactory,
    SessionType: SessionTypeFactory,
    WeeklyAvailability: WeeklyAvailabilityFactory,
    BlockedSlot: BlockedSlotFactory,
    AvailabilityAddition: AvailabilityAdditionFactory,
    TrainingSession: TrainingSessionFactory,
    Booking: BookingFactory,
    RecurringBooking: RecurringBookingFactory,
    SlotHold: SlotHoldFactory,
    WaitlistEntry: WaitlistEntryFactory,
    ClientFeed: ClientFeedFactory,
    SkippedOccurrence: SkippedOccurrenceFactory,
})


# --- credits ----------------------------------------------------------------------------------
from coachos.credits.models import BookingCredit, ClientPackage, CreditEntry, PackagePlan  # noqa: E402


class PackagePlanFactory(ScopedFactory):
    class Meta:
        model = PackagePlan

    organization = factory.SubFactory(OrganizationFactory)
    name = "10 sessions"
    sessions = 10
    price_minor = 75000
    validity_days = 90


class ClientPackageFactory(ScopedFactory):
    class Meta:
        model = ClientPackage

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    name = "10 sessions"
    total = 10
    remaining = 10
    expires_at = factory.LazyFunction(lambda: _hour_from_now(24 * 90))


class CreditEntryFactory(ScopedFactory):
    class Meta:
        model = CreditEntry

    package = factory.SubFactory(ClientPackageFactory)
    organization = factory.SelfAttribute("package.organization")
    kind = CreditEntry.Kind.GRANT
    amount = 10


class BookingCreditFactory(ScopedFactory):
    class Meta:
        model = BookingCredit

    booking = factory.SubFactory(BookingFactory)
    organization = factory.SelfAttribute("booking.organization")
    package = factory.SubFactory(ClientPackageFactory, client=factory.SelfAttribute("..booking.client"))


TENANT_FACTORIES.update({PackagePlan: PackagePlanFactory, ClientPackage: ClientPackageFactory,
                         CreditEntry: CreditEntryFactory, BookingCredit: BookingCreditFactory})


# --- clients: tags and notes ------------------------------------------------------------------
from coachos.clients.models import ClientNote, Tag  # noqa: E402


class TagFactory(ScopedFactory):
    class Meta:
        model = Tag

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Tag {n}")


class ClientNoteFactory(ScopedFactory):
    class Meta:
        model = ClientNote

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    body = "Knee felt better this week."


TENANT_FACTORIES.update({Tag: TagFactory, ClientNote: ClientNoteFactory})


# --- onboarding -------------------------------------------------------------------------------
from coachos.onboarding.models import (  # noqa: E402
    IntakeForm,
    IntakeQuestion,
    IntakeResponse,
    OnboardingProgress,
    OnboardingSettings,
    WaiverSignature,
    WaiverTemplate,
    WaiverVersion,
    sha256_text,
)


def _onb_now() -> Any:
    from django.utils import timezone

    return timezone.now()


class OnboardingSettingsFactory(ScopedFactory):
    class Meta:
        model = OnboardingSettings
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)


class WaiverTemplateFactory(ScopedFactory):
    class Meta:
        model = WaiverTemplate

    organization = factory.SubFactory(OrganizationFactory)
    title = "Liability waiver"


class WaiverVersionFactory(ScopedFactory):
    class Meta:
        model = WaiverVersion

    template = factory.SubFactory(WaiverTemplateFactory)
    organization = factory.SelfAttribute("template.organization")
    number = factory.Sequence(lambda n: n + 1)
    text = "I take part at my own risk.\n\nI have told my coach about any injuries."


class WaiverSignatureFactory(ScopedFactory):
    class Meta:
        model = WaiverSignature

    version = factory.SubFactory(WaiverVersionFactory)
    organization = factory.SelfAttribute("version.organization")
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))
    full_name = "Casey Client"
    method = WaiverSignature.Method.TYPED_ADOPTED
    signed_text = factory.SelfAttribute("version.text")
    text_sha256 = factory.LazyAttribute(lambda o: sha256_text(o.version.text))
    signed_at = factory.LazyFunction(_onb_now)
    ip = "203.0.113.7"
    user_agent = "pytest"


class IntakeFormFactory(ScopedFactory):
    class Meta:
        model = IntakeForm

    organization = factory.SubFactory(OrganizationFactory)
    title = "Health questionnaire"


class IntakeQuestionFactory(ScopedFactory):
    class Meta:
        model = IntakeQuestion

    form = factory.SubFactory(IntakeFormFactory)
    organization = factory.SelfAttribute("form.organization")
    label = factory.Sequence(lambda n: f"Question {n}")
    kind = IntakeQuestion.Kind.SHORT
    order = factory.Sequence(lambda n: n + 1)


class IntakeResponseFactory(ScopedFactory):
    class Meta:
        model = IntakeResponse

    form = factory.SubFactory(IntakeFormFactory)
    organization = factory.SelfAttribute("form.organization")
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))
    answers = factory.LazyFunction(lambda: [{"question": 0, "label": "Goals", "kind": "short", "value": "Run 10k"}])
    submitted_at = factory.LazyFunction(_onb_now)


class OnboardingProgressFactory(ScopedFactory):
    class Meta:
        model = OnboardingProgress

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")


TENANT_FACTORIES.update({
    OnboardingSettings: OnboardingSettingsFactory, WaiverTemplate: WaiverTemplateFactory,
    WaiverVersion: WaiverVersionFactory, WaiverSignature: WaiverSignatureFactory, IntakeForm: IntakeFormFactory,
    IntakeQuestion: IntakeQuestionFactory, IntakeResponse: IntakeResponseFactory,
    OnboardingProgress: OnboardingProgressFactory,
})


# --- the books -------------------------------------------------------------------------------------

import datetime as _books_dt  # noqa: E402

from coachos.books.models import Expense, MoneyEvent  # noqa: E402


class MoneyEventFactory(ScopedFactory):
    class Meta:
        model = MoneyEvent

    organization = factory.SubFactory(OrganizationFactory)
    kind = MoneyEvent.Kind.MANUAL_PAYMENT
    amount_minor = 5000
    currency = factory.SelfAttribute("organization.currency")
    occurred_at = factory.LazyFunction(lambda: _books_dt.datetime.now(_books_dt.UTC))
    method = MoneyEvent.Method.CASH


class ExpenseFactory(ScopedFactory):
    class Meta:
        model = Expense

    organization = factory.SubFactory(OrganizationFactory)
    date = factory.LazyFunction(lambda: _books_dt.datetime.now(_books_dt.UTC).date())
    amount_minor = 2500
    currency = factory.SelfAttribute("organization.currency")
    category = Expense.Category.EQUIPMENT
    vendor = "Gym Supply Co"


TENANT_FACTORIES.update({MoneyEvent: MoneyEventFactory, Expense: ExpenseFactory})


# --- comms (messaging) -------------------------------------------------------------------------
from coachos.comms.models import (  # noqa: E402
    InboundMessage,
    MessageTemplate,
    Notification,
    NotificationPreference,
    OutboundMessage,
    PushSubscription,
    SmsOptOut,
)


class OutboundMessageFactory(ScopedFactory):
    class Meta:
        model = OutboundMessage

    organization = factory.SubFactory(OrganizationFactory)
    channel = "sms"
    kind = "custom"
    to = factory.Sequence(lambda n: f"+1312556{n % 10000:04d}")
    body = "See you tomorrow!"
    scheduled_for = factory.LazyFunction(lambda: _books_dt.datetime.now(_books_dt.UTC))


class InboundMessageFactory(ScopedFactory):
    class Meta:
        model = InboundMessage

    organization = factory.SubFactory(OrganizationFactory)
    provider_id = factory.Sequence(lambda n: f"SM{n:032d}")
    from_number = factory.Sequence(lambda n: f"+1312557{n % 10000:04d}")
    to_number = "+13125550199"
    body = "Running 5 minutes late"


class SmsOptOutFactory(ScopedFactory):
    class Meta:
        model = SmsOptOut

    organization = factory.SubFactory(OrganizationFactory)
    phone = factory.Sequence(lambda n: f"+1312558{n % 10000:04d}")
    opted_out_at = factory.LazyFunction(lambda: _books_dt.datetime.now(_books_dt.UTC))


class MessageTemplateFactory(ScopedFactory):
    class Meta:
        model = MessageTemplate

    organization = factory.SubFactory(OrganizationFactory)
    kind = "booking_confirmation"
    channel = "sms"
    body = "Booked: {session_date} at {session_time}."


class NotificationFactory(ScopedFactory):
    class Meta:
        model = Notification

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    kind = "client_booked"
    title = "A client booked"


class NotificationPreferenceFactory(ScopedFactory):
    class Meta:
        model = NotificationPreference

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    kind = "client_booked"
    via = "email"
    enabled = False


class PushSubscriptionFactory(ScopedFactory):
    class Meta:
        model = PushSubscription

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://push.example.com/send/{n:08d}")
    # A valid P-256 point and a 16-byte secret (base64url), as a browser gives them.
    p256dh = "BPsAqldhPng8NuohRjw2539mIqMpCJs_zsfHUJlsDnWw_47l4YgfDzgCSKPH3P5keBPSDSjWNJdqEywnpYGCjUw"
    auth = "AAECAwQFBgcICQoLDA0ODw"
    label = "Chrome · Android"


TENANT_FACTORIES.update({
    OutboundMessage: OutboundMessageFactory, InboundMessage: InboundMessageFactory, SmsOptOut: SmsOptOutFactory,
    MessageTemplate: MessageTemplateFactory, Notification: NotificationFactory,
    NotificationPreference: NotificationPreferenceFactory, PushSubscription: PushSubscriptionFactory,
})


# --- payments (billing) ----------------------------------------------------------------------------
from coachos.billing.models import BillingAccount, ClientMembership, MembershipPlan, Purchase  # noqa: E402


class BillingAccountFactory(ScopedFactory):
    class Meta:
        model = BillingAccount
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)


class MembershipPlanFactory(ScopedFactory):
    class Meta:
        model = MembershipPlan

    organization = factory.SubFactory(OrganizationFactory)
    name = "Monthly 8"
    price_minor = 16000
    sessions_per_month = 8


class ClientMembershipFactory(ScopedFactory):
    class Meta:
        model = ClientMembership

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    plan = factory.SubFactory(MembershipPlanFactory, organization=factory.SelfAttribute("..organization"))
    status = ClientMembership.Status.ACTIVE


class PurchaseFactory(ScopedFactory):
    class Meta:
        model = Purchase

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    plan = factory.SubFactory(PackagePlanFactory, organization=factory.SelfAttribute("..organization"))
    description = "10 sessions"
    amount_minor = 75000
    currency = "USD"
    status = Purchase.Status.PAID
    paid_at = factory.LazyFunction(lambda: _books_dt.datetime.now(_books_dt.UTC))


TENANT_FACTORIES.update({BillingAccount: BillingAccountFactory, MembershipPlan: MembershipPlanFactory,
                         ClientMembership: ClientMembershipFactory, Purchase: PurchaseFactory})


# --- automations ---------------------------------------------------------------------------------
from coachos.automations.models import Automation, AutomationRun, ConditionFire, Todo  # noqa: E402


class AutomationFactory(ScopedFactory):
    class Meta:
        model = Automation

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Automation {n}")
    trigger_type = Automation.Trigger.SCHEDULE
    frequency = Automation.Frequency.DAILY
    actions = factory.LazyFunction(lambda: [{"type": "create_todo", "title": "Call {client_name}", "due_in_days": 0}])


class AutomationRunFactory(ScopedFactory):
    class Meta:
        model = AutomationRun

    automation = factory.SubFactory(AutomationFactory)
    organization = factory.SelfAttribute("automation.organization")
    trigger = AutomationRun.TriggerKind.MANUAL
    status = AutomationRun.Status.FAILED
    started_at = factory.LazyFunction(lambda: _books_dt.datetime.now(_books_dt.UTC))
    error = "SMS not sent: the client texted STOP."


class ConditionFireFactory(ScopedFactory):
    class Meta:
        model = ConditionFire

    automation = factory.SubFactory(AutomationFactory, trigger_type=Automation.Trigger.CONDITION,
                                    condition=Automation.Condition.BIRTHDAY, frequency="")
    organization = factory.SelfAttribute("automation.organization")
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))
    key = "birthday:2026"
    fired_at = factory.LazyFunction(lambda: _books_dt.datetime.now(_books_dt.UTC))


class TodoFactory(ScopedFactory):
    class Meta:
        model = Todo

    organization = factory.SubFactory(OrganizationFactory)
    title = "Call back"


TENANT_FACTORIES.update({Automation: AutomationFactory, AutomationRun: AutomationRunFactory,
                         ConditionFire: ConditionFireFactory, Todo: TodoFactory})


# --- site: the setup checklist's choices ------------------------------------------------------
from coachos.site.models import SetupProgress  # noqa: E402


class SetupProgressFactory(ScopedFactory):
    class Meta:
        model = SetupProgress

    organization = factory.SubFactory(OrganizationFactory)


TENANT_FACTORIES.update({SetupProgress: SetupProgressFactory})


# --- chat ----------------------------------------------------------------------------------------
import uuid as _uuid  # noqa: E402

from coachos.chat.models import (  # noqa: E402
    Attachment,
    ChatSettings,
    Conversation,
    ConversationState,
    GroupMember,
    Message,
    MessageEdit,
    MessageReport,
    Reaction,
    UnreadNotice,
)


class ChatSettingsFactory(ScopedFactory):
    class Meta:
        model = ChatSettings
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)


class ConversationFactory(ScopedFactory):
    class Meta:
        model = Conversation

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    kind = Conversation.Kind.DIRECT


class GroupConversationFactory(ScopedFactory):
    class Meta:
        model = Conversation

    organization = factory.SubFactory(OrganizationFactory)
    kind = Conversation.Kind.GROUP
    title = factory.Sequence(lambda n: f"Bootcamp {n}")


class GroupMemberFactory(ScopedFactory):
    class Meta:
        model = GroupMember

    conversation = factory.SubFactory(GroupConversationFactory)
    organization = factory.SelfAttribute("conversation.organization")
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))


class ConversationStateFactory(ScopedFactory):
    class Meta:
        model = ConversationState

    conversation = factory.SubFactory(ConversationFactory)
    organization = factory.SelfAttribute("conversation.organization")
    user = factory.SubFactory(UserFactory)


class ChatMessageFactory(ScopedFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    organization = factory.SelfAttribute("conversation.organization")
    sender = factory.SubFactory(UserFactory)
    body = "See you at 6!"
    client_key = factory.Sequence(lambda n: f"key-{n}")


class MessageEditFactory(ScopedFactory):
    class Meta:
        model = MessageEdit

    message = factory.SubFactory(ChatMessageFactory)
    organization = factory.SelfAttribute("message.organization")
    body = "See you at 5!"


class ReactionFactory(ScopedFactory):
    class Meta:
        model = Reaction

    message = factory.SubFactory(ChatMessageFactory)
    organization = factory.SelfAttribute("message.organization")
    user = factory.SubFactory(UserFactory)
    emoji = "👍"


class AttachmentFactory(ScopedFactory):
    class Meta:
        model = Attachment

    organization = factory.SubFactory(OrganizationFactory)
    uploaded_by = factory.SubFactory(UserFactory)
    key = factory.LazyFunction(lambda: _uuid.uuid4().hex)
    extension = ".pdf"
    file = factory.django.FileField(filename="plan.pdf", data=b"%PDF-1.4\n%test\n")
    name = "plan.pdf"
    size = 15
    content_type = "application/pdf"


class MessageReportFactory(ScopedFactory):
    class Meta:
        model = MessageReport

    message = factory.SubFactory(ChatMessageFactory)
    organization = factory.SelfAttribute("message.organization")
    body = "See you at 6!"


class UnreadNoticeFactory(ScopedFactory):
    class Meta:
        model = UnreadNotice

    message = factory.SubFactory(ChatMessageFactory)
    organization = factory.SelfAttribute("message.organization")
    user = factory.SubFactory(UserFactory)
    due_at = factory.LazyFunction(lambda: _books_dt.datetime.now(_books_dt.UTC))


TENANT_FACTORIES.update({
    ChatSettings: ChatSettingsFactory, Conversation: ConversationFactory, GroupMember: GroupMemberFactory,
    ConversationState: ConversationStateFactory, Message: ChatMessageFactory, MessageEdit: MessageEditFactory,
    Reaction: ReactionFactory, Attachment: AttachmentFactory, MessageReport: MessageReportFactory,
    UnreadNotice: UnreadNoticeFactory,
})


# --- notes ---------------------------------------------------------------------------------------
from coachos.notes.models import (  # noqa: E402
    JournalEntry,
    JournalGoal,
    JournalPrompt,
    JournalPromptRecipient,
    JournalTag,
    Note,
    NoteActionItem,
    NoteAttachment,
    NoteTag,
    NoteTemplate,
    NoteVersion,
    SessionRating,
)


class NoteTagFactory(ScopedFactory):
    class Meta:
        model = NoteTag

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"topic {n}")


class NoteTemplateFactory(ScopedFactory):
    class Meta:
        model = NoteTemplate

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    sections = factory.LazyFunction(lambda: [{"heading": "Plan", "hint": "What comes next"}])


class NoteFactory(ScopedFactory):
    class Meta:
        model = Note

    # Everything of one business: pass ``organization`` (and, if wanted, objects of that business).
    organization = factory.SubFactory(OrganizationFactory)
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))
    title = "Week 3"
    body_html = "<p>Squats felt strong.</p>"
    body_text = "Squats felt strong."


class NoteVersionFactory(ScopedFactory):
    class Meta:
        model = NoteVersion

    organization = factory.SubFactory(OrganizationFactory)
    note = factory.LazyAttribute(lambda o: NoteFactory(organization=o.organization))
    version = 1
    body_html = "<p>Squats felt strong.</p>"


class NoteActionItemFactory(ScopedFactory):
    class Meta:
        model = NoteActionItem

    organization = factory.SubFactory(OrganizationFactory)
    note = factory.LazyAttribute(lambda o: NoteFactory(organization=o.organization))
    client = factory.SelfAttribute("note.client")
    text = "Walk 8,000 steps a day"
    key = factory.Sequence(lambda n: f"client:walk {n}")
    assignee = "client"


class NoteAttachmentFactory(ScopedFactory):
    class Meta:
        model = NoteAttachment

    organization = factory.SubFactory(OrganizationFactory)
    note = factory.LazyAttribute(lambda o: NoteFactory(organization=o.organization))
    key = factory.Sequence(lambda n: f"notefile{n:024d}")
    extension = "pdf"
    name = "plan.pdf"
    size = 1024
    content_type = "application/pdf"


class JournalTagFactory(ScopedFactory):
    class Meta:
        model = JournalTag

    organization = factory.SubFactory(OrganizationFactory)
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))
    name = factory.Sequence(lambda n: f"mood {n}")


class JournalPromptFactory(ScopedFactory):
    class Meta:
        model = JournalPrompt

    organization = factory.SubFactory(OrganizationFactory)
    text = "What went well this week?"


class JournalEntryFactory(ScopedFactory):
    class Meta:
        model = JournalEntry

    organization = factory.SubFactory(OrganizationFactory)
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))
    title = "A good week"
    body_html = "<p>I slept better.</p>"
    body_text = "I slept better."
    mood = 4


class JournalPromptRecipientFactory(ScopedFactory):
    class Meta:
        model = JournalPromptRecipient

    organization = factory.SubFactory(OrganizationFactory)
    prompt = factory.LazyAttribute(lambda o: JournalPromptFactory(organization=o.organization))
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))


class JournalGoalFactory(ScopedFactory):
    class Meta:
        model = JournalGoal

    organization = factory.SubFactory(OrganizationFactory)
    client = factory.LazyAttribute(lambda o: ClientFactory(organization=o.organization))
    entries_per_week = 3


class SessionRatingFactory(ScopedFactory):
    class Meta:
        model = SessionRating

    organization = factory.SubFactory(OrganizationFactory)
    booking = factory.LazyAttribute(lambda o: BookingFactory(
        session=TrainingSessionFactory(coach=CoachFactory(organization=o.organization), status="completed"),
        status="completed"))
    session = factory.SelfAttribute("booking.session")
    client = factory.SelfAttribute("booking.client")
    coach = factory.SelfAttribute("booking.session.coach")
    stars = 5


TENANT_FACTORIES.update({
    NoteTag: NoteTagFactory, NoteTemplate: NoteTemplateFactory, Note: NoteFactory, NoteVersion: NoteVersionFactory,
    NoteActionItem: NoteActionItemFactory, NoteAttachment: NoteAttachmentFactory, JournalTag: JournalTagFactory, JournalPrompt: JournalPromptFactory,
    JournalEntry: JournalEntryFactory, JournalPromptRecipient: JournalPromptRecipientFactory,
    JournalGoal: JournalGoalFactory, SessionRating: SessionRatingFactory,
})


# --- progress ------------------------------------------------------------------------------------
import datetime as _progress_dt  # noqa: E402
from decimal import Decimal as _ProgressDecimal  # noqa: E402

from coachos.progress.models import (  # noqa: E402
    Goal,
    GoalChange,
    Measurement,
    MeasurementKind,
    Milestone,
    ProgressPhoto,
    ProgressSettings,
    Task,
    TaskCompletion,
)


def _tiny_jpeg() -> bytes:
    import io as _io

    from PIL import Image as _Image

    out = _io.BytesIO()
    _Image.new("RGB", (2, 2), "white").save(out, format="JPEG")
    return out.getvalue()


# A tiny white JPEG: what a progress photo's files hold in tests that do not upload one.
TINY_JPEG = _tiny_jpeg()


class MeasurementKindFactory(ScopedFactory):
    class Meta:
        model = MeasurementKind

    organization = factory.SubFactory(OrganizationFactory)
    key = factory.Sequence(lambda n: f"plank_time_{n}")
    name = factory.Sequence(lambda n: f"Plank time {n}")
    unit = "s"


class MeasurementFactory(ScopedFactory):
    class Meta:
        model = Measurement

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    kind = "weight"
    value_si = _ProgressDecimal("80")
    entered_value = _ProgressDecimal("80")
    entered_unit = "kg"
    measured_at = factory.LazyFunction(lambda: _progress_dt.datetime.now(_progress_dt.UTC))


class GoalFactory(ScopedFactory):
    class Meta:
        model = Goal

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    title = "Run 5 km"
    start_date = factory.LazyFunction(lambda: _progress_dt.datetime.now(_progress_dt.UTC).date())


class MilestoneFactory(ScopedFactory):
    class Meta:
        model = Milestone

    goal = factory.SubFactory(GoalFactory)
    organization = factory.SelfAttribute("goal.organization")
    title = "Run 2 km"


class GoalChangeFactory(ScopedFactory):
    class Meta:
        model = GoalChange

    goal = factory.SubFactory(GoalFactory)
    organization = factory.SelfAttribute("goal.organization")
    field = "created"
    new = "Run 5 km"


class TaskFactory(ScopedFactory):
    class Meta:
        model = Task

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    title = "Stretch 10 minutes"
    start_date = factory.LazyFunction(lambda: _progress_dt.datetime.now(_progress_dt.UTC).date())


class TaskCompletionFactory(ScopedFactory):
    class Meta:
        model = TaskCompletion

    task = factory.SubFactory(TaskFactory)
    organization = factory.SelfAttribute("task.organization")
    period = factory.SelfAttribute("task.start_date")


class ProgressPhotoFactory(ScopedFactory):
    class Meta:
        model = ProgressPhoto

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    pose = "front"
    taken_on = factory.LazyFunction(lambda: _progress_dt.datetime.now(_progress_dt.UTC).date())
    key = factory.LazyFunction(lambda: _uuid.uuid4().hex)
    extension = "jpg"
    content_type = "image/jpeg"
    file = factory.django.FileField(filename="photo.jpg", data=TINY_JPEG)
    thumbnail = factory.django.FileField(filename="thumb.jpg", data=TINY_JPEG)
    width = 1
    height = 1
    size = len(TINY_JPEG)


class ProgressSettingsFactory(ScopedFactory):
    class Meta:
        model = ProgressSettings

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")


TENANT_FACTORIES.update({
    MeasurementKind: MeasurementKindFactory, Measurement: MeasurementFactory, Goal: GoalFactory,
    Milestone: MilestoneFactory, GoalChange: GoalChangeFactory, Task: TaskFactory,
    TaskCompletion: TaskCompletionFactory, ProgressPhoto: ProgressPhotoFactory,
    ProgressSettings: ProgressSettingsFactory,
})

from coachos.progress.models import MonthlyReport, ProgressDefaults  # noqa: E402


class ProgressDefaultsFactory(ScopedFactory):
    class Meta:
        model = ProgressDefaults

    organization = factory.SubFactory(OrganizationFactory)


class MonthlyReportFactory(ScopedFactory):
    class Meta:
        model = MonthlyReport

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    month = _progress_dt.date(2026, 1, 1)
    status = "sent"


TENANT_FACTORIES.update({ProgressDefaults: ProgressDefaultsFactory, MonthlyReport: MonthlyReportFactory})

# --- library ----------------------------------------------------------------------------------------
from coachos.library.models import (  # noqa: E402
    Collection as LibraryCollection,
)
from coachos.library.models import (  # noqa: E402
    CollectionItem,
    Engagement,
    Folder,
    Grant,
    Resource,
    Share,
    ShareEvent,
)


class FolderFactory(ScopedFactory):
    class Meta:
        model = Folder

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Folder {n}")


class ResourceFactory(ScopedFactory):
    class Meta:
        model = Resource

    organization = factory.SubFactory(OrganizationFactory)
    kind = "link"
    media = "web"
    title = factory.Sequence(lambda n: f"Resource {n}")
    url = "https://example.com/read"


class LibraryCollectionFactory(ScopedFactory):
    class Meta:
        model = LibraryCollection

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Collection {n}")


class CollectionItemFactory(ScopedFactory):
    class Meta:
        model = CollectionItem

    collection = factory.SubFactory(LibraryCollectionFactory)
    organization = factory.SelfAttribute("collection.organization")
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))
    position = 0


class ShareFactory(ScopedFactory):
    class Meta:
        model = Share

    organization = factory.SubFactory(OrganizationFactory)
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))
    audience = "all"
    first_at = factory.LazyFunction(lambda: _progress_dt.datetime.now(_progress_dt.UTC) + _progress_dt.timedelta(days=1))
    next_run_at = factory.SelfAttribute("first_at")


class ShareEventFactory(ScopedFactory):
    class Meta:
        model = ShareEvent

    share = factory.SubFactory(ShareFactory)
    organization = factory.SelfAttribute("share.organization")
    action = "created"


class GrantFactory(ScopedFactory):
    class Meta:
        model = Grant

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))


class EngagementFactory(ScopedFactory):
    class Meta:
        model = Engagement

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    resource = factory.SubFactory(ResourceFactory, organization=factory.SelfAttribute("..organization"))


TENANT_FACTORIES.update({
    Folder: FolderFactory, Resource: ResourceFactory, LibraryCollection: LibraryCollectionFactory,
    CollectionItem: CollectionItemFactory, Share: ShareFactory, ShareEvent: ShareEventFactory, Grant: GrantFactory,
    Engagement: EngagementFactory,
})

# --- insights ---------------------------------------------------------------------------------------
from coachos.insights.models import CardDismissal, InsightsSettings, RevenueTarget  # noqa: E402


class RevenueTargetFactory(ScopedFactory):
    class Meta:
        model = RevenueTarget

    organization = factory.SubFactory(OrganizationFactory)
    month = _progress_dt.date(2026, 3, 1)
    amount_minor = 500000


class CardDismissalFactory(ScopedFactory):
    class Meta:
        model = CardDismissal

    membership = factory.SubFactory(MembershipFactory)
    organization = factory.SelfAttribute("membership.organization")
    kind = "clients_at_risk"
    fingerprint = "0" * 32


class InsightsSettingsFactory(ScopedFactory):
    class Meta:
        model = InsightsSettings

    organization = factory.SubFactory(OrganizationFactory)


from coachos.insights.models import AssistantConversation, Proposal  # noqa: E402


class AssistantConversationFactory(ScopedFactory):
    class Meta:
        model = AssistantConversation

    membership = factory.SubFactory(MembershipFactory)
    organization = factory.SelfAttribute("membership.organization")


class ProposalFactory(ScopedFactory):
    class Meta:
        model = Proposal

    conversation = factory.SubFactory(AssistantConversationFactory)
    organization = factory.SelfAttribute("conversation.organization")
    membership = factory.SelfAttribute("conversation.membership")
    action = "cancel_session"
    arguments = factory.LazyFunction(lambda: {"session_id": 1})
    summary = "Cancel a session"


TENANT_FACTORIES.update({RevenueTarget: RevenueTargetFactory, CardDismissal: CardDismissalFactory,
                         InsightsSettings: InsightsSettingsFactory, AssistantConversation: AssistantConversationFactory,
                         Proposal: ProposalFactory})


# --- payments at booking and connected calendars ------------------------------------------------------

from coachos.billing.models import BookingPayment  # noqa: E402
from coachos.integrations.models import (  # noqa: E402
    BusyBlock,
    CalendarConnection,
    CalendarWrite,
    MeetingLink,
    OnlineSessionType,
    RemoteEvent,
    VideoSettings,
)


class BookingPaymentFactory(ScopedFactory):
    class Meta:
        model = BookingPayment

    booking = factory.SubFactory(BookingFactory)
    organization = factory.SelfAttribute("booking.organization")
    client = factory.SelfAttribute("booking.client")


class CalendarConnectionFactory(ScopedFactory):
    class Meta:
        model = CalendarConnection

    organization = factory.SubFactory(OrganizationFactory)
    coach = factory.LazyAttribute(lambda o: CoachFactory(organization=o.organization))
    provider = "caldav"
    name = "Personal"
    url = "https://caldav.example/calendars/coach/personal/"
    username = "coach"


class BusyBlockFactory(ScopedFactory):
    class Meta:
        model = BusyBlock

    connection = factory.SubFactory(CalendarConnectionFactory)
    organization = factory.SelfAttribute("connection.organization")
    coach = factory.SelfAttribute("connection.coach")
    starts_at = factory.LazyFunction(lambda: _hour_from_now(48))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + __import__("datetime").timedelta(hours=1))


class RemoteEventFactory(ScopedFactory):
    class Meta:
        model = RemoteEvent

    connection = factory.SubFactory(CalendarConnectionFactory)
    organization = factory.SelfAttribute("connection.organization")
    session = factory.LazyAttribute(lambda o: TrainingSessionFactory(organization=o.organization,
                                                                     coach=o.connection.coach))
    remote_id = factory.Sequence(lambda n: f"https://caldav.example/calendars/coach/personal/{n}.ics")


class CalendarWriteFactory(ScopedFactory):
    class Meta:
        model = CalendarWrite

    session = factory.SubFactory(TrainingSessionFactory)
    organization = factory.SelfAttribute("session.organization")
    due_at = factory.LazyFunction(lambda: _hour_from_now(1))


class VideoSettingsFactory(ScopedFactory):
    class Meta:
        model = VideoSettings

    organization = factory.SubFactory(OrganizationFactory)


class OnlineSessionTypeFactory(ScopedFactory):
    class Meta:
        model = OnlineSessionType

    organization = factory.SubFactory(OrganizationFactory)
    session_type = factory.LazyAttribute(lambda o: SessionTypeFactory(organization=o.organization))


class MeetingLinkFactory(ScopedFactory):
    class Meta:
        model = MeetingLink

    session = factory.SubFactory(TrainingSessionFactory)
    organization = factory.SelfAttribute("session.organization")
    url = factory.Sequence(lambda n: f"https://meet.jit.si/CoachOS-room-{n:08d}")


TENANT_FACTORIES.update({
    BookingPayment: BookingPaymentFactory, CalendarConnection: CalendarConnectionFactory, BusyBlock: BusyBlockFactory,
    RemoteEvent: RemoteEventFactory, CalendarWrite: CalendarWriteFactory, VideoSettings: VideoSettingsFactory,
    OnlineSessionType: OnlineSessionTypeFactory, MeetingLink: MeetingLinkFactory,
})
