"""A compiled plan written out as Python: one function per object selection.

A plan (api.plans.ObjectPlan) is a list of fields, each a tuple saying how
to produce it. Reading that list for every object (unpacking each tuple,
testing how the field is produced, then whether its value may pass as it is)
was a fifth of a nested ``articles(first: 100)``. So each plan is written out
once, as the source of a function that produces its fields one after the
other, with each field's resolver, arguments and completion bound as
constants, attributes read directly and the dict built in one display.
The function does what the list says, in the same order, and raises what
the list's reading raised: tests/api/test_compiled.py compares both
executors' bytes over thousands of generated operations.
"""

from __future__ import annotations

import keyword
from typing import Any, Callable

# How a plan produces one field of an object (the first item of its tuple).
TYPENAME, ATTRIBUTE, CALL_WITH_INFO, CALL, VARIABLE_ARGUMENTS = range(5)
# Leaf values passed through as they are, without a call (the second item).
NO_SHORTCUT, STRING, INT, BOOLEAN = range(4)

INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1

# A value that may pass as it is, per shortcut; anything else is completed.
_PASSES = {STRING: "{v}.__class__ is str",
           INT: "{v}.__class__ is int and INT_MIN <= {v} <= INT_MAX",
           BOOLEAN: "{v}.__class__ is bool"}


def _name(text: str) -> bool:
    return text.isidentifier() and not keyword.iskeyword(text)


def object_function(type_name: str, fields: list[tuple]) -> Callable[[Any, Any], dict]:
    """``run(source, run) -> dict`` for a plan's ``fields`` (see api.plans.ObjectPlan:
    (how, shortcut, key, function, arguments, complete); for an attribute,
    ``arguments`` is the attribute's name)."""
    constants: dict[str, Any] = {"INT_MIN": INT_MIN, "INT_MAX": INT_MAX}
    lines = ["def run(source, run):", "    info = run.info"]
    items = []
    for n, (how, shortcut, key, function, arguments, complete) in enumerate(fields):
        v = f"v{n}"
        if how == TYPENAME:
            constants[v] = type_name
            items.append(f"{key!r}: {v}")
            continue
        constants[f"f{n}"] = function
        constants[f"c{n}"] = complete
        if how == ATTRIBUTE:
            value = f"source.{arguments}" if _name(arguments or "") else f"f{n}(source)"
        elif how == VARIABLE_ARGUMENTS:  # coerced once per execution
            constants[f"a{n}"] = arguments
            value = f"f{n}(source, info, **run.arguments(a{n}))"
        else:
            passed = ["source"] + (["info"] if how == CALL_WITH_INFO else [])
            if all(_name(name) for name in arguments):
                for name, argument in arguments.items():
                    constants[f"a{n}_{name}"] = argument
                    passed.append(f"{name}=a{n}_{name}")
            else:
                constants[f"a{n}"] = arguments
                passed.append(f"**a{n}")
            value = f"f{n}({', '.join(passed)})"
        lines.append(f"    {v} = {value}")
        if shortcut in _PASSES:
            lines.append(f"    if not ({_PASSES[shortcut].format(v=v)}):")
            lines.append(f"        {v} = c{n}({v}, run)")
        else:
            lines.append(f"    {v} = c{n}({v}, run)")
        items.append(f"{key!r}: {v}")
    lines.append("    return {" + ", ".join(items) + "}")
    # The constants become the function's closure: read as fast as locals.
    names = ", ".join(constants)
    source = (f"def make({names}):\n" + "\n".join("    " + line for line in lines)
              + "\n    return run\n")
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<plan {type_name}>", "exec"), namespace)
    return namespace["make"](**constants)
