"""The forms of the journal pages and the session pages: a journal entry, the timeline's filters, the
weekly goal, a prompt the team sends, and a session rating.

The forms only parse what a person typed; the services check the rest (and their ``NotesError``
lands on the form's field, so that what was typed stays on the page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coachos.clients.models import Client, Tag
from coachos.notes.errors import NotesError
from coachos.notes.forms import body_from_form
from coachos.notes.models import Mood
from coachos.notes.services.prompts import PROMPT_MAX
from coachos.notes.services.ratings import COMMENT_MAX
from coachos.notes.services.text import TAG_MAX, TITLE_MAX

# The five moods as icons with their words (the words are what a screen reader says; the icons are
# decoration and hidden from it).
MOOD_ICONS: dict[int, str] = {1: "😣", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}


def mood_choices() -> list[dict[str, Any]]:
    return [{"value": value, "label": label, "icon": MOOD_ICONS[value]} for value, label in Mood.choices]


def split_tags(raw: str) -> list[str]:
    """ "sleep, running , Sleep" → ["sleep", "running", "Sleep"] (the service drops duplicates)."""
    return [part for part in (piece.strip() for piece in raw.split(",")) if part]


def apply_error(form: forms.Form, error: NotesError) -> None:
    """A service's refusal on the field it names (else on the whole form), keeping what was typed."""
    field = {"body_html": "body_html", "title": "title", "mood": "mood", "tags": "tags", "session": "session",
             "entries_per_week": "entries_per_week", "text": "text", "clients": "clients", "tag": "tag",
             "stars": "stars", "comment": "comment"}.get(error.field)
    form.add_error(field if field in form.fields else None, str(error))


class JournalEntryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, required=False)
    # The notes editor (static/notes/editor.js) sends HTML; without script the box holds plain text.
    body_html = forms.CharField(label=_("Entry"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 10}))
    mood = forms.TypedChoiceField(label=_("How do you feel?"), choices=Mood.choices, coerce=int, empty_value=None,
                                  error_messages={"required": _("Choose how you feel.")})
    tags = forms.CharField(label=_("Tags"), required=False, max_length=(TAG_MAX + 2) * 20,
                           help_text=_("Separate tags with commas, e.g. sleep, running."),
                           widget=forms.TextInput(attrs={"list": "journal-tag-names", "autocomplete": "off"}))
    session = forms.TypedChoiceField(label=_("About a session"), required=False, coerce=int, empty_value=None)
    shared = forms.BooleanField(label=_("Share with my coach"), required=False)
    # The version the page started from (a save over a newer one is a conflict, shown, not written).
    base_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    prompt = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    template = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, sessions: list[tuple[int, str]] | None = None, mood_required: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session_field = self.fields["session"]
        assert isinstance(session_field, forms.TypedChoiceField)
        session_field.choices = [("", _("None"))] + list(sessions or [])
        # A draft (made by autosave) may have no mood yet; a saved entry needs one.
        self.fields["mood"].required = mood_required

    def body(self) -> str:
        return body_from_form(self.cleaned_data.get("body_html") or "")

    def tag_names(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags") or "")


class JournalFilterForm(forms.Form):
    """The timeline's search and filters (GET). A value that is not understood is left out."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search your journal")}))
    mood = forms.TypedChoiceField(label=_("Mood"), required=False, coerce=int, empty_value=None,
                                  choices=[("", _("Any mood"))] + list(Mood.choices))
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, tags: list[str] | None = None, team: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if team:
            self.fields["q"].widget.attrs["placeholder"] = _("Search shared entries")
        tag_field = self.fields["tag"]
        assert isinstance(tag_field, forms.ChoiceField)
        tag_field.choices = [("", _("Any tag"))] + [(name, name) for name in tags or []]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def values(self) -> dict[str, Any]:
        """The filters that were understood (the others are dropped, with a note on the page)."""
        if self.is_bound:
            self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) for name in self.fields if name not in self.errors and cleaned.get(name)}


class GoalForm(forms.Form):
    entries_per_week = forms.IntegerField(label=_("Entries a week"), required=False, min_value=1, max_value=14,
                                          help_text=_("Leave empty for no goal."))
    remind = forms.BooleanField(label=_("Remind me gently when I am behind"), required=False)


class ClientChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class PromptForm(forms.Form):
    text = forms.CharField(label=_("Prompt"), max_length=PROMPT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What went well this week?")}))
    clients: ClientChoices = ClientChoices(label=_("Clients"), required=False, queryset=Client.objects.none(),
                                           widget=forms.SelectMultiple(attrs={"size": 8}),
                                           help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."))
    tag: forms.ModelChoiceField[Tag] = forms.ModelChoiceField(label=_("And every client tagged"), required=False, queryset=Tag.objects.none(),
                                 empty_label=_("No tag"))

    def __init__(self, *args: Any, clients: QuerySet[Client], tags: QuerySet[Tag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["clients"]
        tag_field = self.fields["tag"]
        assert isinstance(client_field, forms.ModelMultipleChoiceField)
        assert isinstance(tag_field, forms.ModelChoiceField)
        client_field.queryset = clients.order_by("last_name", "first_name", "pk")
        tag_field.queryset = tags.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("clients") and not data.get("tag") and not self.errors:
            self.add_error("clients", _("Choose who gets the prompt: clients, a tag or both."))
        return data


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(n, str(n)) for n in range(1, 6)],
                                   error_messages={"required": _("Choose 1 to 5 stars.")})
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))
