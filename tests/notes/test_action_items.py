"""Which lines of a note are action items, and for whom (pure)."""

from __future__ import annotations

from coachos.notes.action_items import CLIENT, COACH, Item, key_of, parse


def test_marked_list_items_and_typed_prefixes_are_action_items() -> None:
    html = ('<ul><li data-action="client">Walk <b>8,000</b> steps</li><li>[ ] Drink 2 l of water</li>'
            '<li>[me] Send the meal plan</li><li data-action="coach">Book the next check-in</li>'
            '<li>Just a list item</li></ul><p>[ ] not in a list</p>')
    assert parse(html) == [
        Item("Walk 8,000 steps", CLIENT), Item("Drink 2 l of water", CLIENT), Item("Send the meal plan", COACH),
        Item("Book the next check-in", COACH),
    ]


def test_nested_items_follow_their_parent_and_duplicates_count_once() -> None:
    html = "<ul><li>[ ] Stretch<ul><li>[ ] Hamstrings</li></ul></li><li>[ ]  stretch </li></ul>"
    assert parse(html) == [Item("Stretch", CLIENT), Item("Hamstrings", CLIENT)]


def test_an_empty_marker_is_not_an_item() -> None:
    assert parse('<ul><li>[ ]</li><li data-action="client"> </li></ul>') == []


def test_the_key_ignores_case_and_spacing() -> None:
    assert key_of("Walk  daily", CLIENT) == key_of("walk daily", CLIENT) != key_of("walk daily", COACH)
