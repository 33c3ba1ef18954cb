"""Ids of another business posted through the back office's HTML forms: the page-side sibling of
``test_cross_tenant_ids.py``. Every back-office page (with B's own objects in its address) is
fetched as B's owner; every POST form on it whose fields carry ids (a select of objects, a hidden
``coach``, checkboxes of ``tags``) is posted once per id field with A's object in that field. The
answer must be a 404 or the form again with an error, never a redirect, and no table may change.
The same form with B's own objects must then do its work: the refusal was about the id.

Forms are discovered from the pages, so a new form is covered by itself; one whose fields the
generic filler cannot make valid gets values in ``FORM_VALUES``.
"""

from __future__ import annotations

from datetime import datetime, time
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client as DjangoClient

from .conftest import login_as
from .factories import tenant_models
from .test_cross_tenant import model_for_param, walk
from .test_cross_tenant_ids import Business, _next, business, changed, fingerprint, model_for_field, undone

pytestmark = pytest.mark.django_db


class FormParser(HTMLParser):
    """The POST forms of a page: action and fields (inputs, selects with their options, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = (a.get("method") or ("post" if a.get("hx-post") else "get")).lower()
            self._form = {"action": a.get("hx-post") or a.get("action") or "", "method": method, "fields": []}
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "select", "textarea"} and a.get("name"):
            field = {"tag": tag, "options": [], "selected": [], "text": "", **a}
            self._form["fields"].append(field)
            self._select = field if tag == "select" else self._select
            self._textarea = field if tag == "textarea" else None
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["selected"].append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _filled(field: dict[str, Any], b: Business) -> str:
    """A plausible value for an empty required field, by its type."""
    kind = field.get("type", "text")
    monday = _next(0, b.org)
    return {
        "date": monday.isoformat(), "time": "10:00", "number": field.get("min") or "1",
        "datetime-local": datetime.combine(monday, time(10)).strftime("%Y-%m-%dT%H:%M"),
        "email": "someone@example.com", "tel": "+13125550100",
    }.get(kind, "Test")


# Values the generic filler cannot guess, by the end of the form's action.
FORM_VALUES: dict[str, Any] = {
    "calendar/new/": lambda b: {"starts_at": f"{_next(0, b.org).isoformat()}T10:00"},
    "extra-time/": lambda b: {"start_time": "10:00", "end_time": "12:00"},
    "payments/record/": lambda b: {"amount": "50.00", "method": "cash"},
    "automations/new/": lambda b: {
        "trigger_type": "event", "event": "booking.created", "actions-TOTAL_FORMS": "1",
        "actions-0-type": "create_todo", "actions-0-title": "Call", "actions-0-due_in_days": "0",
    },
}


def field_model(name: str, many: bool) -> type | None:
    """``room``, ``mon-0-room`` (a formset's row), ``default_room`` → Room."""
    name = name.rsplit("-", 1)[-1]
    model = model_for_field(name, many=many)
    if model is None and "_" in name:  # default_room: a model's own name at the end
        last = name.rsplit("_", 1)[-1]
        model = next((m for m in tenant_models() if m._meta.model_name == last), None)
    return model


def form_data(form: dict[str, Any], action: str, b: Business) -> list[tuple[str, str]]:
    """The form as a person would send it, with B's own object in each id field."""
    data: list[tuple[str, str]] = []
    ids = id_fields(form)
    for field in form["fields"]:
        name, tag, kind = field["name"], field["tag"], field.get("type", "text")
        if "__prefix__" in name:
            continue  # a formset's template row
        if name in ids and ids[name][0] is not None:
            data.append((name, str(b.objects[ids[name][0]].pk)))
        elif tag == "select":
            chosen = [o for o in field["selected"] if o] or [next((o for o in field["options"] if o), "")]
            data += [(name, value) for value in chosen]
        elif tag == "textarea":
            data.append((name, field["text"] or ("Test" if "required" in field else "")))
        elif kind in {"checkbox", "radio"}:
            if "checked" in field:
                data.append((name, field.get("value", "on")))
        elif kind not in {"submit", "button", "file", "image", "reset"}:
            value = field.get("value", "")
            data.append((name, value if value or "required" not in field else _filled(field, b)))
    overrides: dict[str, str] = {}
    for end, values in FORM_VALUES.items():
        if action.endswith(end):
            overrides.update(values(b))
    if not data:
        return data
    kept = [(k, v) for k, v in data if k not in overrides]
    return kept + list(overrides.items())


def id_fields(form: dict[str, Any]) -> dict[str, tuple[type | None, bool]]:
    """Field name → (model, many) for each field that carries an object's id."""
    found: dict[str, tuple[type | None, bool]] = {}
    for field in form["fields"]:
        name = field["name"]
        if "__prefix__" in name:
            continue
        many = field["tag"] == "select" and "multiple" in field or field.get("type") == "checkbox"
        model = field_model(name, many)
        if field["tag"] == "select":
            if any(o.isdigit() for o in field["options"]) or (model is not None and not field["options"]):
                found[name] = (model, many)
        elif field["tag"] == "input" and field.get("type") in {"hidden", "checkbox", "number"} and model is not None:
            found[name] = (model, many)
    return found


def back_office_pages(b: Business) -> list[str]:
    """Every back-office page, with B's own objects in its address."""
    urls = []
    for route in walk():
        names = [name for name, _conv in route.params]
        if "org_slug" not in names or not route.route.startswith("o/"):
            continue
        values: dict[str, Any] = {"org_slug": b.org.slug}
        for name in names:
            model = model_for_param(name) if name != "org_slug" else None
            if name != "org_slug":
                if model is None or model not in b.objects:
                    break
                values[name] = b.objects[model].pk
        else:
            urls.append(route.url(values))
    return urls


def _post(web: DjangoClient, url: str, data: list[tuple[str, str]]) -> Any:
    payload: dict[str, list[str]] = {}
    for key, value in data:
        payload.setdefault(key, []).append(value)
    return web.post(url, payload)


def test_another_business_id_in_a_form_is_refused_and_writes_nothing():
    every = set(tenant_models())  # an object of each model, for addresses and form fields
    a, b = business("Alpha Gym", also=every), business("Beta Studio", also=every)
    web = login_as(b.owner)
    web.raise_request_exception = False  # a 500 is listed with the other failures
    failures: list[str] = []
    forms_checked: set[str] = set()
    verified: set[str] = set()  # the control (B's own object) wrote: the refusal was about the id
    unverified: set[str] = set()  # the generic data did not make a valid form: see FORM_VALUES
    for page in back_office_pages(b):
        response = web.get(page)
        if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
            continue
        parser = FormParser()
        parser.feed(response.content.decode())
        for form in parser.forms:
            ids = id_fields(form)
            action = form["action"] or page
            if form["method"] != "post" or not ids or action in forms_checked:
                continue
            forms_checked.add(action)
            data = form_data(form, action, b)
            for name, (model, _many) in ids.items():
                if model is None:
                    failures.append(f"{action}: field `{name}` lists ids but names no tenant-owned model.")
                    continue
                foreign = [(k, v) for k, v in data if k != name] + [(name, str(a.objects[model].pk))]
                own = [(k, v) for k, v in data if k != name] + [(name, str(b.objects[model].pk))]
                what = f"{action} (on {page}) with A's {name}"
                with undone():
                    before = fingerprint()
                    answer = _post(web, action, foreign)
                    # A 404, the form again with its error, or back to the page with a message:
                    # what counts is that nothing was written.
                    if answer.status_code not in (200, 302, 400, 404, 422):
                        failures.append(f"{what} → {answer.status_code}")
                    if changed(before, fingerprint()):
                        failures.append(f"{what} wrote to {changed(before, fingerprint())}")
                with undone():
                    before = fingerprint()
                    answer = _post(web, action, own)
                    (verified if changed(before, fingerprint()) else unverified).add(f"{action} {name}")
    print(f"cross-tenant forms: {len(forms_checked)} forms; id fields shown valid by the control: "  # noqa: T201
          f"{sorted(verified)}; not (generic data invalid, only 'no write' checked): {sorted(unverified)}")
    # Not vacuous: the main forms that take ids are found, and B's own objects work in them.
    client_pk = b.objects[model_for_param("client_id")].pk  # type: ignore[index]
    main = {f"/o/{b.org.slug}/calendar/new/ {n}" for n in ("client", "session_type", "coach")}
    main |= {f"/o/{b.org.slug}/clients/{client_pk}/packages/give/ plan",
             f"/o/{b.org.slug}/payments/record/ client", f"/o/{b.org.slug}/payments/record/ plan"}
    assert main <= verified, f"not verified: {sorted(main - verified)}"
    assert not failures, "An id of another business in a form must be refused, writing nothing:\n" + "\n".join(failures)
