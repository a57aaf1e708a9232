from __future__ import annotations

import pytest

from scoring.values import contradicted, values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("um thats gonna be a hundred and one dollar", [("money", 101.0)]),
        ("twenty five hundred dollars in there", [("money", 2500.0)]),
        ("one thousand two hundred and five dollars and fifty cents", [("money", 1205.5)]),
        ("it costs 25 dollars", [("money", 25.0)]),
        ("scheduled for monday at three thirty five p m", [("weekday", 0.0), ("time", 215.0)]),
        ("branch hours are nine thirty a m until five p m", [("time", 570.0), ("time", 300.0)]),
        ("move my flight from the twelfth to the fourteenth", [("day", 12.0), ("day", 14.0)]),
        ("somewhere between 25 and 35 to do an oil change", []),
    ],
)
def test_values_as_people_say_them(text: str, expected: list[tuple[str, float]]) -> None:
    assert [(v.kind, v.amount) for v in values(text)] == expected


def test_an_origin_is_not_what_was_asked_for() -> None:
    asked = values("move my flight from the twelfth to the fourteenth")
    assert [v.role for v in asked] == ["from", ""]
    clash = contradicted(values("ive moved you to the flight on the twelfth"), asked)
    assert clash is not None and (clash[0].amount, clash[1].amount) == (12.0, 14.0)
    assert contradicted(values("youre on the fourteenth now"), asked) is None
