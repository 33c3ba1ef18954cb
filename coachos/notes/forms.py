"""The forms of the team's notes pages: the list's filters, a new note, saving a note, the quick note
of the client page and the calendar panel. The services check everything again (who may write, which
client and session); the forms only offer what the member may choose and keep what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.common import formats
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy.models import Membership

from . import richtext
from .models import Note, NoteTemplate
from .readers import Reader
from .selectors import notes as selectors
from .services.text import HTML_MAX, TITLE_MAX

SORTS = (
    ("date", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("updated", _("Recently changed")),
    ("client", _("By client")),
)
SHARING = (("", _("Shared and private")), ("shared", _("Shared with the client")), ("private", _("Private to the team")))
SESSIONS_OFFERED = 50


class ClientChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class AuthorChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.name or obj.user.email)


def session_label(session: TrainingSession) -> str:
    """“Dec 8, 2026, 9:00 AM · Personal training” in the business's zone (the current one)."""
    return f"{formats.format_datetime(session.starts_at)} · {session.session_type.name}"


def body_from_form(value: str) -> str:
    """The editor sends HTML. Without script the text box is plain: text with no tag at all is read as
    plain text (paragraphs at blank lines), so a coach without script loses no line break."""
    return value if "<" in value else richtext.from_plain(value)


def tag_names(raw: str) -> list[str]:
    return [name for name in (part.strip() for part in raw.split(",")) if name]


# --- the list's filters ---------------------------------------------------------------------------

class NoteFilterForm(forms.Form):
    q = forms.CharField(label=_("Search notes"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search titles and text")}))
    client = ClientChoice(label=_("Client"), queryset=Client.objects.none(), required=False,
                          empty_label=_("Every client"))
    session = forms.TypedChoiceField(label=_("Session"), required=False, coerce=int, empty_value=None)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    author = AuthorChoice(label=_("Author"), queryset=Membership.objects.none(), required=False,
                          empty_label=_("Any author"))
    shared = forms.ChoiceField(label=_("Sharing"), choices=SHARING, required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORTS, required=False)

    def __init__(self, *args: Any, reader: Reader, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = selectors.notes_visible(reader)
        client_field = self.fields["client"]
        author_field = self.fields["author"]
        assert isinstance(client_field, forms.ModelChoiceField) and isinstance(author_field, forms.ModelChoiceField)
        # Only what can match: the clients and authors of the notes this member may read.
        client_field.queryset = (clients_visible_to(reader.membership)
                                 .filter(pk__in=visible.values("client_id")).order_by("first_name", "last_name", "pk"))
        author_field.queryset = (Membership.objects.filter(organization=reader.organization,
                                                           user_id__in=visible.values("author_id"))
                                 .select_related("user").order_by("user__name", "pk"))
        tags = selectors.note_tags(reader).filter(notes__in=visible).distinct().values_list("name", flat=True)
        self.fields["tag"].choices = [("", _("Any tag"))] + [(name, name) for name in tags]  # type: ignore[attr-defined]
        # Sessions: those with notes, of the chosen client only (a business has too many to list).
        client_id = self.data.get("client", "")
        sessions: list[tuple[Any, Any]] = [("", _("Any session"))]
        if str(client_id).isdigit():
            rows = (TrainingSession.objects.filter(coach_notes__in=visible.filter(client_id=int(client_id)))
                    .select_related("session_type").distinct().order_by("-starts_at")[:SESSIONS_OFFERED])
            sessions += [(s.pk, session_label(s)) for s in rows]
        wanted = self.data.get("session", "")
        if str(wanted).isdigit() and int(wanted) not in {pk for pk, _label in sessions}:
            # A session named by a link (the calendar's panel) is kept if the member may read its notes.
            found = (TrainingSession.objects.filter(pk=int(wanted), coach_notes__in=visible)
                     .select_related("session_type").first())
            if found is not None:
                sessions.append((found.pk, session_label(found)))
        self.fields["session"].choices = sessions  # type: ignore[attr-defined]

    def filters(self) -> selectors.NoteFilters:
        """The filters understood; anything not understood is left out (the page says so)."""
        self.is_valid()  # what was understood is in cleaned_data, the rest in errors
        data = self.cleaned_data
        client = data.get("client")
        author = data.get("author")
        shared = {"shared": True, "private": False}.get(data.get("shared") or "")
        return selectors.NoteFilters(
            client=client.pk if client is not None else None, session=data.get("session"),
            tag=data.get("tag") or "", author=author.pk if author is not None else None, shared=shared,
            q=" ".join((data.get("q") or "").split()), sort=data.get("sort") or "date")


# --- writing ----------------------------------------------------------------------------------------

class NoteFields(forms.Form):
    """What the editor saves: title, text, tags and sharing."""

    title = forms.CharField(label=_("Title"), required=False, max_length=TITLE_MAX,
                            widget=forms.TextInput(attrs={"placeholder": _("Untitled note"), "autocomplete": "off"}))
    body_html = forms.CharField(label=_("Note"), required=False, max_length=HTML_MAX, strip=False,
                                widget=forms.Textarea(attrs={"rows": 14}))
    tags = forms.CharField(label=_("Tags"), required=False, max_length=1000,
                           help_text=_("Separate tags with commas, e.g. knee, nutrition."),
                           widget=forms.TextInput(attrs={"list": "note-tag-names", "autocomplete": "off"}))
    shared = forms.BooleanField(label=_("Share with the client"), required=False)

    def clean_body_html(self) -> str:
        return body_from_form(self.cleaned_data["body_html"])

    def clean_tags(self) -> list[str]:
        return tag_names(self.cleaned_data["tags"])


class NoteEditForm(NoteFields):
    base_version = forms.IntegerField(widget=forms.HiddenInput(), min_value=1)


class NoteNewForm(NoteFields):
    client = ClientChoice(label=_("Client"), queryset=Client.objects.none(), empty_label=_("Choose a client"),
                          error_messages={"invalid_choice": _("Choose one of your clients.")})
    session = forms.TypedChoiceField(label=_("Session"), required=False, coerce=int, empty_value=None,
                                     error_messages={"invalid_choice": _("Choose one of this client's sessions.")})
    note_template: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        queryset=NoteTemplate.objects.none(), required=False, widget=forms.HiddenInput(),
        error_messages={"invalid_choice": _("No such template.")})

    def __init__(self, *args: Any, reader: Reader, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        template_field = self.fields["note_template"]
        assert isinstance(client_field, forms.ModelChoiceField) and isinstance(template_field, forms.ModelChoiceField)
        client_field.queryset = clients_visible_to(reader.membership).order_by("first_name", "last_name", "pk")
        template_field.queryset = selectors.note_templates(reader)
        raw = self.data.get("client", "") if self.is_bound else self.initial.get("client", "")
        client = client_field.queryset.filter(pk=int(raw)).first() if str(raw).isdigit() else None
        self.chosen_client: Client | None = client
        wanted = self.data.get("session", "") if self.is_bound else self.initial.get("session", "")
        self.fields["session"].choices = [("", _("No session"))] + client_sessions(  # type: ignore[attr-defined]
            client, keep=int(wanted) if str(wanted).isdigit() else None)

    def clean_session(self) -> TrainingSession | None:
        session_id = self.cleaned_data.get("session")
        if session_id is None:
            return None
        return TrainingSession.objects.filter(pk=session_id).select_related("session_type").first()


def client_sessions(client: Client | None, *, keep: int | None = None) -> list[tuple[int, str]]:
    """The client's latest sessions (a place in them, any status) to link a note to, newest first;
    ``keep``: a session asked for by a link, listed even when older."""
    if client is None:
        return []
    sessions = (TrainingSession.objects.filter(pk__in=Booking.objects.filter(client=client).values("session_id"))
                .select_related("session_type").order_by("-starts_at"))
    rows = list(sessions[:SESSIONS_OFFERED])
    if keep is not None and keep not in {s.pk for s in rows}:
        rows += list(sessions.filter(pk=keep))
    return [(s.pk, session_label(s)) for s in rows]


class QuickNoteForm(forms.Form):
    """A short note from the client page or the calendar's session panel (plain text; the editor has
    formatting)."""

    text = forms.CharField(label=_("Note"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Write the note first.")})
    shared = forms.BooleanField(label=_("Share with the client"), required=False)
    # A group session's note: one of its clients, or (empty) the class as a whole.
    client = ClientChoice(label=_("About"), queryset=Client.objects.none(), required=False,
                          error_messages={"invalid_choice": _("Choose one of the session's clients.")})

    def __init__(self, *args: Any, clients: QuerySet[Client] | None = None, whole_session: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["client"]
        assert isinstance(field, forms.ModelChoiceField)
        if clients is None:
            del self.fields["client"]
        else:
            field.queryset = clients
            field.required = not whole_session
            field.empty_label = str(_("The whole session")) if whole_session else str(_("Choose a client"))

    def clean_text(self) -> str:
        return richtext.from_plain(self.cleaned_data["text"])


def note_fields_initial(note: Note) -> dict[str, Any]:
    return {"title": note.title, "body_html": note.body_html, "shared": note.shared, "base_version": note.version,
            "tags": ", ".join(t.name for t in note.tags.all())}


# --- templates --------------------------------------------------------------------------------------

class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Used for"), choices=NoteTemplate.Kind.choices, initial=NoteTemplate.Kind.NOTE,
                             help_text=_("Journal templates are offered to clients when they write in their "
                                         "journal."))
    active = forms.BooleanField(label=_("Offered when writing"), required=False, initial=True)


class SectionForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), required=False, max_length=120)
    hint = forms.CharField(label=_("Hint"), required=False, max_length=300,
                           help_text=_("Shown in italics under the heading, e.g. what to write there."))


SectionFormSet = forms.formset_factory(SectionForm, extra=3, max_num=20, absolute_max=40)


def sections_of(formset: Any) -> list[dict[str, str]]:
    """The rows with a heading, in order (a blank row is no section)."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if (data.get("heading") or "").strip():
            rows.append({"heading": data["heading"], "hint": data.get("hint", "")})
    return rows
