"""The "9 a.m.." double period: one period where a value ending in one meets the sentence's."""

from coachos.common.text import sentence
from coachos.comms import catalog


def test_a_time_ending_a_sentence_keeps_one_period():
    assert sentence("Moved to Tuesday at 9 a.m..") == "Moved to Tuesday at 9 a.m."
    assert sentence("Booked for 3 p.m.. See you then.") == "Booked for 3 p.m. See you then."


def test_an_ellipsis_and_ordinary_periods_are_left_alone():
    assert sentence("Wait... then go.") == "Wait... then go."
    assert sentence("At 09:00.") == "At 09:00."


def test_messages_render_without_a_double_period():
    template = catalog.KINDS["reminder_24h"].sms
    assert "{session_time}." in template
    rendered = catalog.render(template, {"session_type": "PT", "session_time": "9 a.m.", "business_name": "Gym",
                                         "session_date": "Tuesday", "coach_name": "Sam", "link": "x"})
    assert "9 a.m. " in rendered or rendered.endswith("9 a.m.")
    assert "a.m.." not in rendered
