"""The library pages' forms. They only parse and offer choices; the services check and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coachos.clients.models import Client, Tag

from .models import Folder, Resource, Share

KIND_CHOICES = [("", _("All types")), ("file", _("Files")), ("link", _("Links")), ("article", _("Articles")),
                ("pdf", _("PDFs")), ("video", _("Videos")), ("audio", _("Audio")), ("image", _("Images")),
                ("document", _("Documents")), ("video_link", _("Video links"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title, description or tag")}))
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=KIND_CHOICES)
    folder = forms.IntegerField(required=False, widget=forms.HiddenInput)
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)


class _Common(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    tags = forms.CharField(label=_("Tags"), required=False, max_length=300, help_text=_("Separate tags with commas."))
    folder: forms.ModelChoiceField[Folder] = forms.ModelChoiceField(label=_("Folder"), required=False, queryset=Folder.objects.none(),
                                    empty_label=_("No folder"))
    minutes = forms.IntegerField(label=_("Minutes to complete"), required=False, min_value=1, max_value=100000)

    def __init__(self, *args: Any, folders: QuerySet[Folder] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["folder"].queryset = folders if folders is not None else Folder.objects.none()  # type: ignore[attr-defined]


class UploadForm(_Common):
    file = forms.FileField(label=_("File"), help_text=_("PDF, image, audio, video or an office document. Video up to "
                                                        "200 MB, anything else up to 25 MB."))
    downloadable = forms.BooleanField(label=_("Clients may download it"), required=False, initial=True)
    field_order = ["file", "title", "description", "tags", "folder", "minutes", "downloadable"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the file's name.")


class LinkForm(_Common):
    url = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https",
                         help_text=_("YouTube and Vimeo links play in the page."))
    field_order = ["url", "title", "description", "tags", "folder", "minutes"]


class ArticleForm(_Common):
    body = forms.CharField(label=_("Article"), max_length=200_000, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("Basic formatting is kept (paragraphs, bold, lists, links)."))
    field_order = ["title", "body", "description", "tags", "folder", "minutes"]


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Folder name"), max_length=120)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CollectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    sequential = forms.BooleanField(label=_("Sequential: each item opens once the one before it is completed"),
                                    required=False)


class AddItemForm(forms.Form):
    resource: forms.ModelChoiceField[Resource] = forms.ModelChoiceField(label=_("Add a resource"), queryset=Resource.objects.none())

    def __init__(self, *args: Any, resources: QuerySet[Resource] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources if resources is not None else Resource.objects.none()  # type: ignore[attr-defined]


class ShareForm(forms.Form):
    AUDIENCE = [("clients", _("Chosen clients")), ("tag", _("Clients with a tag")), ("all", _("All clients"))]
    WHEN = [("now", pgettext_lazy("share", "Now")), ("later", _("At a date and time"))]

    audience = forms.ChoiceField(label=_("Share with"), choices=AUDIENCE, initial="clients",
                                 widget=forms.RadioSelect)
    clients: forms.ModelMultipleChoiceField[Client] = forms.ModelMultipleChoiceField(label=_("Clients"), required=False, queryset=Client.objects.none(),
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    tag: forms.ModelChoiceField[Tag] = forms.ModelChoiceField(label=_("Tag"), required=False, queryset=Tag.objects.none())
    when = forms.ChoiceField(label=_("When"), choices=WHEN, initial="now", widget=forms.RadioSelect)
    at = forms.DateTimeField(label=_("Date and time"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    repeat = forms.ChoiceField(label=_("Repeat"), choices=Share.Repeat.choices, initial="once", required=False)
    message = forms.CharField(label=_("Message to the client"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, clients: QuerySet[Client] | None = None, tags: QuerySet[Tag] | None = None,
                 drip: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = clients if clients is not None else Client.objects.none()  # type: ignore[attr-defined]
        self.fields["tag"].queryset = tags if tags is not None else Tag.objects.none()  # type: ignore[attr-defined]
        if not drip:
            del self.fields["repeat"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audience") == "clients" and not data.get("clients"):
            self.add_error("clients", _("Choose at least one client."))
        if data.get("audience") == "tag" and not data.get("tag"):
            self.add_error("tag", _("Choose a tag."))
        if data.get("when") == "later" and not data.get("at"):
            self.add_error("at", _("Choose the date and time."))
        return data


class ShareEditForm(forms.Form):
    at = forms.DateTimeField(label=_("Date and time"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    message = forms.CharField(label=_("Message to the client"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ExportForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
