"""One wording for validation messages: every pydantic error type the project words (`problems.WORDING`) is said
"must ... (got X)", "required" or "unknown key", never pydantic's "Input should be ...", with did-you-mean kept."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Literal

import pytest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from aiplatform.problems import WORDING, message


class Colour(enum.Enum):
    red = "red"
    green = "green"


def _refuse(value: Any) -> Any:
    raise ValueError("the project's own message")


def _assert(value: Any) -> Any:
    assert value == 0, "never true"
    return value


#: (pydantic error type, the field's annotation, the value given, strict, the message expected)
CASES: list[tuple[str, Any, Any, bool, str]] = [
    ("missing", int, ..., True, "required"),
    ("extra_forbidden", int, "extra", True, "unknown key"),
    ("int_type", int, True, True, "must be an integer (got true)"),
    ("int_parsing", int, "x", False, "must be an integer (got 'x')"),
    ("int_from_float", int, 2.5, False, "must be an integer (got 2.5)"),
    ("float_type", float, "1", True, "must be a number (got '1')"),
    ("float_parsing", float, "x", False, "must be a number (got 'x')"),
    ("finite_number", Annotated[float, Field(allow_inf_nan=False)], float("inf"), True,
     "must be a finite number (got inf)"),
    ("bool_type", bool, None, True, "must be true or false (got null)"),
    ("bool_parsing", bool, "perhaps", False, "must be true or false (got 'perhaps')"),
    ("string_type", str, 5, True, "must be a string (got 5)"),
    ("list_type", list[int], "a", True, "must be a list (got 'a')"),
    ("tuple_type", tuple[int, ...], "a", True, "must be a list (got 'a')"),
    ("set_type", set[int], "a", True, "must be a list (got 'a')"),
    ("dict_type", dict[str, int], [], True, "must be a mapping (got [])"),
    ("model_type", BaseModel, 3, True, "must be a mapping (got 3)"),
    ("date_type", dt.date, 20260101, True, "must be a date YYYY-MM-DD (got 20260101)"),
    ("date_from_datetime_inexact", dt.date, "2026-01-01T01:00:00", False,
     "must be a date YYYY-MM-DD (got '2026-01-01T01:00:00')"),
    ("date_from_datetime_parsing", dt.date, "tomorrow", False, "must be a date YYYY-MM-DD (got 'tomorrow')"),
    ("literal_error", Literal["on-demand", "spot"], "spott", True,
     "must be one of on-demand, spot (got 'spott') (did you mean 'spot'?)"),
    ("enum", Colour, "gren", False, "must be one of red, green (got 'gren') (did you mean 'green'?)"),
    ("greater_than", Annotated[int, Field(gt=0)], 0, True, "must be more than 0 (got 0)"),
    ("greater_than_equal", Annotated[int, Field(ge=1)], -1, True, "must be at least 1 (got -1)"),
    ("less_than", Annotated[int, Field(lt=5)], 5, True, "must be less than 5 (got 5)"),
    ("less_than_equal", Annotated[float, Field(le=1)], 1.5, True, "must be at most 1 (got 1.5)"),
    ("multiple_of", Annotated[int, Field(multiple_of=8)], 12, True, "must be a multiple of 8 (got 12)"),
    ("too_short", Annotated[list[int], Field(min_length=1)], [], True, "must have at least 1 item (got 0)"),
    ("too_long", Annotated[list[int], Field(max_length=2)], [1, 2, 3], True, "must have at most 2 items (got 3)"),
    ("string_too_short", Annotated[str, Field(min_length=1)], "", True, "must not be empty"),
    ("string_too_long", Annotated[str, Field(max_length=3)], "abcd", True, "must be at most 3 characters (got 4)"),
    ("string_pattern_mismatch", Annotated[str, Field(pattern=r"^aip-")], "x", True, "must match ^aip- (got 'x')"),
    ("value_error", Annotated[int, AfterValidator(_refuse)], 1, True, "the project's own message"),
    ("assertion_error", Annotated[int, AfterValidator(_assert)], 1, True, "never true"),
]


def _error(annotation: Any, value: Any, strict: bool) -> dict[str, Any]:
    fields = {"__annotations__": {"value": annotation},
              "model_config": ConfigDict(extra="forbid", strict=strict)}
    model = type("Doc", (BaseModel,), fields)
    data: dict[str, Any] = {} if value is ... else {"value": value}
    if value == "extra":
        data = {"value": 1, "colour": "red"}
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    (err,) = info.value.errors()
    return dict(err)


@pytest.mark.parametrize(("kind", "annotation", "value", "strict", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_pydantic_error_type_in_the_projects_words(kind, annotation, value, strict, expected):
    err = _error(annotation, value, strict)
    assert err["type"] == kind
    said = message(err)
    assert said == expected
    assert "should" not in said and not said.startswith(("Input", "Value error"))


def test_every_worded_type_has_a_case():
    assert set(WORDING) - {"model_attributes_type"} == {c[0] for c in CASES}


def test_a_type_without_wording_still_says_must():
    said = message({"type": "url_parsing", "msg": "Input should be a valid URL, empty host", "input": "http://"})
    assert said == "must be a valid URL, empty host (got 'http://')"
    said = message({"type": "uuid_type", "msg": "UUID input should be a string, bytes or UUID object", "input": 1})
    assert said.endswith("(got 1)")
