"""Tag management (/o/<slug>/clients/tags/) and tagging many clients from the list."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.clients import services, services_tags
from coachos.clients.models import Client, Tag
from coachos.tenancy.models import AuditEntry
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, TagFactory, member

pytestmark = pytest.mark.django_db


def url(org: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"clients:{name}", kwargs={"org_slug": org.slug, **kwargs})


def tag_names(client: Client) -> set[str]:
    with scopes_disabled():
        return set(client.tags.values_list("name", flat=True))


def actions(org: Any) -> list[str]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(organization=org).order_by("pk").values_list("action", flat=True))


@pytest.fixture
def tagged(org: Any, owner: Any) -> dict[str, Any]:
    with scope(organization=org):
        ana = ClientFactory(organization=org, first_name="Ana")
        ben = ClientFactory(organization=org, first_name="Ben")
        cy = ClientFactory(organization=org, first_name="Cy")
        services.client_tag(client=ana, actor=owner, name="Morning")
        services.client_tag(client=ben, actor=owner, name="Morning")
        services.client_tag(client=ben, actor=owner, name="AM group")
        services.client_tag(client=cy, actor=owner, name="AM group")
        tags = {t.name: t for t in Tag.objects.all()}
    return {"ana": ana, "ben": ben, "cy": cy, "morning": tags["Morning"], "am": tags["AM group"]}


def test_the_list_shows_each_tag_with_its_client_count(org: Any, web: Any, tagged: dict[str, Any]) -> None:
    with scope(organization=org):
        TagFactory(organization=org, name="Unused")
    response = web.get(url(org, "tags"))
    html = response.content.decode()
    assert response.status_code == 200
    counts = {t.name: t.client_count for t in response.context["tags"]}
    assert counts == {"AM group": 2, "Morning": 2, "Unused": 0}
    assert f'?tag={tagged["morning"].pk}">2 clients</a>' in html
    assert url(org, "tag_delete", tag_id=tagged["morning"].pk) in html  # the owner may delete


def test_the_empty_state_explains_tags(org: Any, web: Any) -> None:
    html = web.get(url(org, "tags")).content.decode()
    assert "No tags yet" in html and "Add a tag" in html


def test_create_a_tag_with_a_colour_and_it_is_audited(org: Any, web: Any) -> None:
    response = web.post(url(org, "tags"), {"new-name": "  Marathon   2026 ", "new-colour": "#067647"})
    assert response.status_code == 302
    with scopes_disabled():
        tag = Tag.objects.get(organization=org)
    assert (tag.name, tag.colour, tag.css_class) == ("Marathon 2026", "#067647", "tag-c-067647")
    assert actions(org) == ["client_tag.created"]
    html = web.get(url(org, "tags")).content.decode()
    assert '<span class="badge tag tag-c-067647">Marathon 2026</span>' in html


@pytest.mark.parametrize(("posted", "message"), [
    ({"new-name": "morning"}, "A tag called “morning” already exists."),
    ({"new-name": "   "}, "This field is required."),
    ({"new-name": "x" * 41}, "at most 40 characters"),
    ({"new-name": "Fine", "new-colour": "#123456"}, "Select a valid choice."),
    ({"new-name": "Fine", "new-colour": "red; background: url(x)"}, "Select a valid choice."),
])
def test_a_bad_new_tag_is_refused_and_keeps_what_was_typed(org: Any, web: Any, tagged: dict[str, Any],
                                                           posted: dict[str, str], message: str) -> None:
    before = actions(org)
    response = web.post(url(org, "tags"), posted)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert actions(org) == before
    with scopes_disabled():
        assert Tag.objects.filter(organization=org).count() == 2


def test_rename_and_recolour(org: Any, web: Any, tagged: dict[str, Any]) -> None:
    tag = tagged["morning"]
    page = web.get(url(org, "tag_edit", tag_id=tag.pk))
    assert page.status_code == 200 and 'value="Morning"' in page.content.decode()
    response = web.post(url(org, "tag_edit", tag_id=tag.pk), {"name": "Early birds", "colour": "#175cd3"})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("Early birds", "#175cd3")
    assert tag_names(tagged["ana"]) == {"Early birds"}  # the clients keep it under its new name
    with scopes_disabled():
        entry = AuditEntry.objects.get(organization=org, action="client_tag.updated")
    assert entry.data == {"fields": ["name", "colour"]} and entry.object_id == str(tag.pk)
    # Only the case changes: allowed (it is the same tag).
    assert web.post(url(org, "tag_edit", tag_id=tag.pk), {"name": "EARLY birds", "colour": ""}).status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("EARLY birds", "")


def test_renaming_to_another_tags_name_points_to_merging(org: Any, web: Any, tagged: dict[str, Any]) -> None:
    response = web.post(url(org, "tag_edit", tag_id=tagged["morning"].pk), {"name": "am GROUP", "colour": ""})
    assert response.status_code == 400
    assert "already exists. To put the two together, merge them." in response.content.decode()
    tagged["morning"].refresh_from_db()
    assert tagged["morning"].name == "Morning"


def test_delete_asks_first_then_removes_the_tag_and_keeps_the_clients(org: Any, web: Any,
                                                                       tagged: dict[str, Any]) -> None:
    tag = tagged["morning"]
    confirm = web.get(url(org, "tag_delete", tag_id=tag.pk))
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Delete the tag “Morning”?" in html and "It is removed from 2 clients. The clients are kept" in html
    with scopes_disabled():
        assert Tag.objects.filter(pk=tag.pk).exists()  # nothing happened yet

    response = web.post(url(org, "tag_delete", tag_id=tag.pk))
    assert response.status_code == 302
    with scopes_disabled():
        assert not Tag.objects.filter(pk=tag.pk).exists()
        assert Client.objects.filter(organization=org).count() == 3
        entry = AuditEntry.objects.get(organization=org, action="client_tag.deleted")
    assert entry.data == {"tag": tag.pk, "clients": 2}
    assert tag_names(tagged["ana"]) == set() and tag_names(tagged["ben"]) == {"AM group"}
    assert "removed from 2 clients; the clients were kept" in web.get(url(org, "tags")).content.decode()


def test_merge_asks_first_then_moves_the_clients_and_deletes_the_source(org: Any, web: Any,
                                                                        tagged: dict[str, Any]) -> None:
    source, target = tagged["am"], tagged["morning"]
    confirm = web.get(url(org, "tag_merge", tag_id=source.pk), {"into": target.pk})
    assert confirm.status_code == 200
    assert "Merge “AM group” into “Morning”?" in confirm.content.decode()
    with scopes_disabled():
        assert Tag.objects.filter(pk=source.pk).exists()

    response = web.post(url(org, "tag_merge", tag_id=source.pk), {"into": target.pk})
    assert response.status_code == 302
    with scopes_disabled():
        assert not Tag.objects.filter(pk=source.pk).exists()
        assert Client.tags.through.objects.filter(tag_id=target.pk).count() == 3  # Ben once, not twice
        entry = AuditEntry.objects.get(organization=org, action="client_tag.merged")
    assert entry.data == {"from": source.pk, "into": target.pk, "clients": 2, "added": 1}
    assert tag_names(tagged["ben"]) == {"Morning"} and tag_names(tagged["cy"]) == {"Morning"}


def test_a_merge_into_itself_or_another_business_tag_changes_nothing(org: Any, other_org: Any, web: Any,
                                                                     tagged: dict[str, Any]) -> None:
    foreign = TagFactory(organization=other_org, name="Theirs")
    source = tagged["am"]
    for into in (source.pk, foreign.pk, "abc", ""):
        response = web.post(url(org, "tag_merge", tag_id=source.pk), {"into": into})
        assert response.status_code == 302
        assert response["Location"] == url(org, "tag_edit", tag_id=source.pk)
    with scopes_disabled():
        assert Tag.objects.filter(pk=source.pk).exists() and Tag.objects.filter(pk=foreign.pk).exists()
        assert Client.tags.through.objects.filter(tag_id=source.pk).count() == 2
    assert "client_tag.merged" not in actions(org)
    with scope(organization=org), pytest.raises(Exception, match="another tag"):
        services_tags.tag_merge(source=source, target=source, actor=None)


@pytest.mark.parametrize("role", [Role.COACH, Role.STAFF])
def test_the_team_manages_tags_but_only_the_owner_deletes_or_merges(org: Any, role: str,
                                                                   tagged: dict[str, Any]) -> None:
    web = login_as(member(org, role, email=f"{role}@example.com"))
    html = web.get(url(org, "tags")).content.decode()
    assert "Morning" in html and url(org, "tag_delete", tag_id=tagged["morning"].pk) not in html
    assert web.post(url(org, "tags"), {"new-name": "New"}).status_code == 302
    assert web.post(url(org, "tag_edit", tag_id=tagged["morning"].pk), {"name": "Mornings"}).status_code == 302
    assert web.get(url(org, "tag_delete", tag_id=tagged["morning"].pk)).status_code == 403
    assert web.post(url(org, "tag_delete", tag_id=tagged["morning"].pk)).status_code == 403
    assert web.post(url(org, "tag_merge", tag_id=tagged["am"].pk), {"into": tagged["morning"].pk}).status_code == 403
    with scopes_disabled():
        assert Tag.objects.filter(organization=org).count() == 3


def test_portal_clients_may_not_see_tags(org: Any) -> None:
    user = member(org, Role.CLIENT, email="c@example.com")
    assert login_as(user).get(url(org, "tags")).status_code == 403


# --- tagging many clients from the list ----------------------------------------------------------

def test_the_list_has_a_checkbox_per_client_and_the_bulk_form(org: Any, web: Any, tagged: dict[str, Any]) -> None:
    html = web.get(url(org, "list")).content.decode()
    ana = tagged["ana"]
    assert f'name="client" value="{ana.pk}" form="bulk-tags" id="select-{ana.pk}"' in html
    assert f'<label for="select-{ana.pk}" class="visually-hidden">Select Ana' in html
    assert 'id="bulk-tags"' in html and "Apply to selected" in html and "client_list.js" in html
    assert '<option value="Morning">' in html  # existing tags are suggested
    assert url(org, "tags") in html


def test_bulk_add_tags_the_selected_clients_and_keeps_the_filters(org: Any, other_org: Any, web: Any,
                                                                   tagged: dict[str, Any]) -> None:
    foreign = ClientFactory(organization=other_org)
    ana, ben, cy = tagged["ana"], tagged["ben"], tagged["cy"]
    before = len(actions(org))
    response = web.post(url(org, "bulk_tag"), {
        "action": "add", "name": " morning ", "client": [ana.pk, cy.pk, foreign.pk],
        "query": "status=active&q=a&evil=1"})
    assert response.status_code == 302
    assert response["Location"] == url(org, "list") + "?q=a&status=active"
    assert tag_names(ana) == {"Morning"}  # already had it: unchanged
    assert tag_names(cy) == {"AM group", "Morning"}
    assert tag_names(ben) == {"Morning", "AM group"}  # not selected
    with scopes_disabled():
        assert not foreign.tags.exists()
        entries = list(AuditEntry.objects.filter(organization=org).order_by("pk")[before:])
    assert [(e.action, e.object_id, e.data) for e in entries] == [
        ("client.tagged", str(cy.pk), {"tag": tagged["morning"].pk, "bulk": True})]
    assert "Tagged 1 client “Morning”." in web.get(response["Location"]).content.decode()


def test_bulk_add_makes_a_new_tag(org: Any, web: Any, tagged: dict[str, Any]) -> None:
    web.post(url(org, "bulk_tag"), {"action": "add", "name": "VIP", "client": [tagged["ana"].pk, tagged["ben"].pk]})
    with scopes_disabled():
        vip = Tag.objects.get(organization=org, name="VIP")
        assert set(vip.clients.values_list("first_name", flat=True)) == {"Ana", "Ben"}


def test_bulk_remove_takes_the_tag_off_and_keeps_the_clients(org: Any, web: Any, tagged: dict[str, Any]) -> None:
    ana, ben, cy = tagged["ana"], tagged["ben"], tagged["cy"]
    response = web.post(url(org, "bulk_tag"), {"action": "remove", "name": "MORNING",
                                               "client": [ana.pk, ben.pk, cy.pk]}, follow=True)
    assert "Removed “Morning” from 2 clients." in response.content.decode()
    assert tag_names(ana) == set() and tag_names(ben) == {"AM group"} and tag_names(cy) == {"AM group"}
    with scopes_disabled():
        assert Client.objects.filter(organization=org).count() == 3
        assert Tag.objects.filter(pk=tagged["morning"].pk).exists()  # the tag itself stays
    assert actions(org).count("client.untagged") == 2


@pytest.mark.parametrize(("posted", "message"), [
    ({"action": "add", "name": "VIP"}, "Select at least one client."),
    ({"action": "remove", "name": "Nope", "client": ["CLIENT"]}, "There is no tag called “Nope”."),
    ({"action": "delete", "name": "VIP", "client": ["CLIENT"]}, "Select a valid choice."),
    ({"action": "add", "name": "", "client": ["CLIENT"]}, "This field is required."),
    ({"action": "add", "name": "VIP", "client": ["999999"]}, "Select at least one client."),
])
def test_bad_bulk_requests_change_nothing_and_say_why(org: Any, web: Any, tagged: dict[str, Any],
                                                      posted: dict[str, Any], message: str) -> None:
    data = {k: ([str(tagged["ana"].pk) if v == "CLIENT" else v for v in val] if isinstance(val, list) else val)
            for k, val in posted.items()}
    before = actions(org)
    response = web.post(url(org, "bulk_tag"), data, follow=True)
    assert message in response.content.decode()
    assert actions(org) == before
    assert tag_names(tagged["ana"]) == {"Morning"}


def test_bulk_tagging_has_a_limit(org: Any, owner: Any) -> None:
    with scope(organization=org):
        clients = [ClientFactory.build(organization=org, pk=i) for i in range(1, services_tags.MAX_BULK + 2)]
        with pytest.raises(Exception, match="at most 500"):
            services_tags.clients_tag_bulk(organization=org, actor=owner, clients=clients, name="VIP")
        assert not Tag.objects.filter(name="VIP").exists()


def test_portal_clients_may_not_bulk_tag(org: Any, tagged: dict[str, Any]) -> None:
    user = member(org, Role.CLIENT, email="c@example.com")
    response = login_as(user).post(url(org, "bulk_tag"), {"action": "add", "name": "X",
                                                         "client": [tagged["ana"].pk]})
    assert response.status_code == 403
    assert tag_names(tagged["ana"]) == {"Morning"}


# --- tags other features use (an automation's client filter) -------------------------------------

def _automation_on(org: Any, *tags: Tag) -> Any:
    """An automation limited to clients with these tags (the feature that points at tags today)."""
    from django.apps import apps

    automation_model = apps.get_model("automations", "Automation")
    with scope(organization=org):
        automation = automation_model.objects.create(organization=org, name="Promo", trigger_type="event",
                                                     actions=[])
        automation.tags.set(tags)
    return automation


def test_a_tag_another_feature_uses_is_not_deleted(org: Any, web: Any, tagged: dict[str, Any]) -> None:
    tag = tagged["morning"]
    automation = _automation_on(org, tag)
    page = web.get(url(org, "tag_delete", tag_id=tag.pk)).content.decode()
    assert "cannot be deleted while it is used by" in page and "1 automations" in page
    assert 'class="danger"' not in page  # no delete button
    response = web.post(url(org, "tag_delete", tag_id=tag.pk))
    assert response.status_code == 409 and "merge the tag into another one" in response.content.decode()
    with scopes_disabled():
        assert Tag.objects.filter(pk=tag.pk).exists()
        assert list(automation.tags.all()) == [tag]
    assert "client_tag.deleted" not in actions(org)


def test_a_merge_moves_the_other_features_uses_to_the_target(org: Any, web: Any, tagged: dict[str, Any]) -> None:
    source, target = tagged["am"], tagged["morning"]
    only_source = _automation_on(org, source)
    both = _automation_on(org, source, target)
    response = web.post(url(org, "tag_merge", tag_id=source.pk), {"into": target.pk})
    assert response.status_code == 302
    with scopes_disabled():
        assert list(only_source.tags.all()) == [target]  # still limited, now to the merged tag
        assert list(both.tags.all()) == [target]
