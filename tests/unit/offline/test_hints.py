"""`offline.hints.memo_type_hints` answers as `typing.get_type_hints`, and keeps an answer only when the globals
cannot change it; `memo_unwrap_type` answers as the SDK's `unwrap_type`, by identity (the whole reference stacks'
calls are compared in tests/programs/test_speedups.py)."""

from __future__ import annotations

import typing
from typing import ForwardRef, Optional

import pulumi
import pytest
from pulumi import Output, _types

from aiplatform.offline import hints

#: What the SDK passes (`pulumi._types._raw_return_hints`).
SDK_LOCALS = {"Output": Output, "T": type(None)}


def _getter(annotation):
    def prop(self):  # a fresh function each time, as each property getter is
        return None

    prop.__annotations__ = {"return": annotation}
    return prop


def same(a, b) -> bool:
    """Equal and spelled the same (a Union's equality ignores the order of its members, its repr does not)."""
    return a == b and repr(a) == repr(b)


@pytest.mark.parametrize("annotation", [
    pulumi.Input[Optional[str]],
    pulumi.Output[str],
    pulumi.Input[typing.Sequence[pulumi.Input[str]]],
    typing.Optional[pulumi.Input[typing.Mapping[str, pulumi.Input[str]]]],
    typing.Annotated[pulumi.Input[int], "meta"],
    list[pulumi.Input[bool]],
    int | pulumi.Input[float],
])
def test_a_kept_answer_is_typings(annotation):
    first, second = _getter(annotation), _getter(annotation)
    expected = typing.get_type_hints(first, globalns={}, localns=dict(SDK_LOCALS))
    assert same(hints.memo_type_hints(first, {}, dict(SDK_LOCALS)), expected)
    key_count = len(hints._ANSWERS)
    # Another function with the same annotation object and other globals: the kept answer, equal to typing's.
    got = hints.memo_type_hints(second, {"Output": None, "T": str}, dict(SDK_LOCALS))
    assert same(got, typing.get_type_hints(second, globalns={"Output": None, "T": str}, localns=dict(SDK_LOCALS)))
    assert same(got, expected)
    assert len(hints._ANSWERS) == key_count
    got["return"] = None  # a copy: the kept answer does not change
    assert same(hints.memo_type_hints(second, {}, dict(SDK_LOCALS)), expected)


def test_a_forward_reference_to_a_global_is_evaluated_each_time():
    annotation = Optional[ForwardRef("Shape")]
    a, b = _getter(annotation), _getter(annotation)
    assert hints.memo_type_hints(a, {"Shape": int}, dict(SDK_LOCALS)) == {"return": Optional[int]}
    assert hints.memo_type_hints(b, {"Shape": str}, dict(SDK_LOCALS)) == {"return": Optional[str]}


def test_other_local_values_are_another_answer():
    annotation = pulumi.Input[str]
    f = _getter(annotation)
    with_none = hints.memo_type_hints(f, {}, dict(SDK_LOCALS))
    with_int = hints.memo_type_hints(f, {}, {"Output": Output, "T": int})
    assert same(with_int, typing.get_type_hints(f, globalns={}, localns={"Output": Output, "T": int}))
    assert not same(with_int, with_none)


def test_a_changed_annotation_is_evaluated_again():
    f = _getter(pulumi.Input[str])
    hints.memo_type_hints(f, {}, dict(SDK_LOCALS))
    f.__annotations__["return"] = pulumi.Input[int]
    assert same(hints.memo_type_hints(f, {}, dict(SDK_LOCALS)),
                typing.get_type_hints(f, globalns={}, localns=dict(SDK_LOCALS)))


@pytest.mark.parametrize("case", ["string", "nested string", "class", "extras", "no locals"])
def test_what_is_not_kept_goes_to_typing(case):
    before = dict(hints._ANSWERS)
    nested = list["Output[T]"]  # noqa: F821 - a forward reference, as a string
    annotation = {"string": "Output[T]", "nested string": nested}.get(case, pulumi.Input[str])
    obj = _getter(annotation)
    kwargs = {"globalns": {}, "localns": dict(SDK_LOCALS)}
    if case == "class":
        obj = type("Args", (), {"__annotations__": {"x": pulumi.Input[str]}})
    if case == "extras":
        kwargs["include_extras"] = True
    if case == "no locals":
        kwargs = {"globalns": dict(SDK_LOCALS)}
    assert same(hints.memo_type_hints(obj, **kwargs), typing.get_type_hints(obj, **kwargs))
    assert before == hints._ANSWERS


def test_an_error_is_raised_each_time_and_not_kept():
    f = _getter(Optional[ForwardRef("Output[T, T]")])  # too many arguments for Output: typing raises
    for _ in range(2):
        with pytest.raises(TypeError) as memo_error:
            hints.memo_type_hints(f, {}, dict(SDK_LOCALS))
        with pytest.raises(TypeError) as typing_error:
            typing.get_type_hints(f, globalns={}, localns=dict(SDK_LOCALS))
        assert str(memo_error.value) == str(typing_error.value)


@pytest.mark.parametrize(("arg", "free"), [
    ("Output[T]", True), ("Output", True), ("Output[Shape]", False), ("outputs.Shape", False),
    ("Output['T']", False), ("Output[(lambda: T)()]", False), ("Output.T", True),
])
def test_which_forward_references_read_locals_only(arg, free):
    assert hints._globals_free(Optional[ForwardRef(arg)], frozenset(SDK_LOCALS)) is free


@pulumi.input_type
class _ShapeArgs:
    pass


@pytest.mark.parametrize("typ", [
    str, pulumi.Input[str], pulumi.Output[str], Optional[str], pulumi.Input[Optional[str]],
    Optional[pulumi.Input[str]], pulumi.Input[_ShapeArgs], pulumi.InputType[_ShapeArgs],
    pulumi.Input[pulumi.InputType[_ShapeArgs]], Optional[pulumi.Input[pulumi.InputType[_ShapeArgs]]],
    typing.Union[int, str], typing.Union[str, int], typing.Sequence[pulumi.Input[str]], int | None,
])
def test_memo_unwrap_type_answers_as_the_sdk(typ):
    unwrap = hints.memo_unwrap_type(_types.unwrap_type)
    expected = _types.unwrap_type(typ)
    assert unwrap(typ) is expected
    assert unwrap(typ) is expected  # kept
    assert unwrap.answers[id(typ)] == (typ, expected)


def test_memo_unwrap_type_keys_by_identity_and_keeps_no_error():
    unwrap = hints.memo_unwrap_type(_types.unwrap_type)
    # Equal unions, members in another order: the SDK reads the order (`InputType[T]` is `T` first).
    a = typing.Union[_ShapeArgs, typing.Mapping[str, typing.Any]]
    b = typing.Union[typing.Mapping[str, typing.Any], _ShapeArgs]
    assert a == b
    assert (unwrap(a), unwrap(b)) == (_types.unwrap_type(a), _types.unwrap_type(b)) == (_ShapeArgs, b)
    bad = typing.Union[None, int]  # Optional with None first: the SDK's assertion fails
    for _ in range(2):
        with pytest.raises(AssertionError):
            unwrap(bad)
    assert id(bad) not in unwrap.answers


def test_install_refuses_a_get_type_hints_that_is_not_typings(monkeypatch):
    from aiplatform.offline import speedups

    monkeypatch.setattr(_types, "get_type_hints", lambda *a, **k: {})
    before = _types.unwrap_type
    with pytest.raises(speedups.SpeedupsUnavailableError, match=r"pulumi\._types\.get_type_hints"):
        speedups.install()
    assert _types.unwrap_type is before  # nothing patched
