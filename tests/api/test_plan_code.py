"""A plan written out as a function (api.plan_code) does what reading its list does."""

from __future__ import annotations

import pytest

from api import plans
from api.plan_code import (ATTRIBUTE, BOOLEAN, CALL, CALL_WITH_INFO, INT, NO_SHORTCUT, STRING,
                           TYPENAME, VARIABLE_ARGUMENTS, object_function)


class Thing:
    def __init__(self, name, count, flag, extra=None) -> None:
        self.name, self.count, self.flag, self.extra = name, count, flag, extra


class Run:
    """What a plan reads of its execution (api.plans._Run)."""

    def __init__(self) -> None:
        self.info = "the info"
        self.asked: list = []

    def arguments(self, field_arguments):
        self.asked.append(field_arguments)
        return {"width": 7}


def completed(label):
    return lambda value, run: f"{label}<{value!r}>"


def fields() -> list[tuple]:
    return [
        (TYPENAME, NO_SHORTCUT, "__typename", None, None, None),
        (ATTRIBUTE, STRING, "name", lambda s: s.name, "name", completed("name")),
        (ATTRIBUTE, INT, "count", lambda s: s.count, "count", completed("count")),
        (ATTRIBUTE, BOOLEAN, "flag", lambda s: s.flag, "flag", completed("flag")),
        # An attribute whose name is no Python name is read with its getter.
        (ATTRIBUTE, NO_SHORTCUT, "odd", lambda s: ("odd", s.extra), "not a name", completed("odd")),
        (CALL_WITH_INFO, STRING, "withInfo", lambda s, info, format: f"{info}/{format}",
         {"format": "HTML"}, completed("withInfo")),
        (CALL, NO_SHORTCUT, "plain", lambda s, length=0: s.count + length, {"length": 3},
         completed("plain")),
        (CALL, STRING, "noArguments", lambda s: str(s.name) * 2, {}, completed("noArguments")),
        (VARIABLE_ARGUMENTS, INT, "sized", lambda s, info, width: width * 2, ("field", "node", {}),
         completed("sized")),
        (TYPENAME, NO_SHORTCUT, "alias", None, None, None),
    ]


@pytest.mark.parametrize("thing", [
    Thing("a", 3, True),
    Thing(None, 2 ** 40, 1, extra=[1]),  # each value fails its shortcut: completed
    Thing("b", -(2 ** 31), False),
    Thing(5, True, "yes"),  # a bool is no Int, an int no String
])
def test_the_written_function_gives_what_reading_gives(thing):
    plan = plans.ObjectPlan("Thing", fields())
    read_run, written_run = Run(), Run()
    read = plan._read(thing, read_run)
    written = object_function("Thing", fields())(thing, written_run)
    assert written == read and list(written) == list(read)  # same keys, same order
    assert written_run.asked == read_run.asked == [("field", "node", {})]


def test_an_error_in_a_field_is_raised_as_reading_raises_it():
    def broken(source):
        raise KeyError("gone")

    plan_fields = [(ATTRIBUTE, STRING, "name", lambda s: s.name, "name", completed("name")),
                   (CALL, STRING, "broken", broken, {}, completed("broken"))]
    with pytest.raises(KeyError, match="gone"):
        plans.ObjectPlan("Thing", plan_fields)._read(Thing("a", 1, True), Run())
    with pytest.raises(KeyError, match="gone"):
        object_function("Thing", plan_fields)(Thing("a", 1, True), Run())


def test_a_plan_is_written_out_at_its_nth_object(monkeypatch):
    monkeypatch.setattr(plans, "WRITE_OUT_AFTER", 3)
    plan = plans.ObjectPlan("Thing", fields())
    outputs = []
    for n in range(5):
        outputs.append(plan.run(Thing("a", n, True), Run()))
        written = getattr(plan.run, "__self__", None) is not plan
        assert written == (n >= 2), n
    assert [o["count"] for o in outputs] == [0, 1, 2, 3, 4]
