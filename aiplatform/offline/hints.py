"""The planning subprocess's two memos of the Pulumi SDK's type lookups (speed-ups of those names, `offline/speedups.py`).

`memo_type_hints`: `typing.get_type_hints` for the Pulumi SDK's type lookups, answered once per annotation when the
globals cannot change the answer.

The SDK's `_raw_return_hints(cls)` (once per class) calls `get_type_hints(prop.fget, globalns=<the merged globals
of the modules of cls's MRO>, localns={"Output": Output, "T": NoneType})` for every property of every resource,
input and output type a program uses: 1,347 calls for aws-dev, some 30 us each, most of them rebuilding the same
trees. `pulumi.Input[X]` is `Union[X, Awaitable[X], ForwardRef("Output[T]")]`: `get_type_hints` evaluates that
forward reference (`eval`) and builds the union again around its value for every property, and typing hands out
the same alias object for the same subscription (`Input[Optional[str]]`), so 961 of those calls ask about
annotation objects already answered.

Why the memo answers the same. For a function `f`, `get_type_hints(f, globalns, localns)` is computed from the
values of `f.__annotations__`: `typing._eval_type` walks each value through the `__args__` of generic aliases and
unions (a string is first made a `ForwardRef`), evaluates each `ForwardRef` with `eval(code, globalns, localns)`
and then that value in turn, keeps everything else as it is, and rebuilds the aliases around what changed;
`_strip_annotations` then drops `Annotated`, a function of that result. `eval` looks a name up in `localns` before
`globalns`. A forward reference whose code reads only keys of `localns` (every name of its code, attribute names
included, is one), has no nested code and no string constant, reads nothing from `globalns`: its value is made of
the local values alone, so if those hold no forward reference that reads globals (`_globals_free`), neither does
the value. When every annotation of `f` is free of globals in that sense, the answer depends only on the
annotation objects and the local values, and it is kept by their identities (the objects are kept with it, so an
identity cannot be reused): a later call with the same annotation objects and the same local values gets a copy
of that answer, with the same (equal) typing objects in it. Every other call (an annotation that is a string or
holds one, a forward reference to a module's name such as `"outputs.ClusterVpcConfig"`, a class, `include_extras`,
no `localns`) goes to `typing.get_type_hints` unchanged; an error is raised by it and never kept. What typing
leaves on those forward references (`__forward_value__`, which only its equality reads) is what the first call
left, which is what each later call would set again with the same local values.

`memo_unwrap_type(unwrap)`: the SDK's `pulumi._types.unwrap_type` (`Input[T]`, `Output[T]`, `Optional[T]`... to `T`),
answered once per type object. The SDK calls it for every property it serialises that has a type (`serialize_property`)
and for every property of every class it reads hints for: 4,852 calls for aws-dev on 500 distinct objects. Its answer
is a function of the object alone: `typing.get_origin` and `typing.get_args` of it and of its arguments (an alias's
`__origin__` and `__args__`, set when typing makes it), identity tests, and whether a class carries the SDK's
`_pulumi_input_type` marker (set by `@pulumi.input_type` when the class is made); so the answer is kept by the
object's identity, with the object (a union's equality ignores the order of its members, which the SDK reads, so it
is never keyed by equality). An exception is raised each time and never kept.
"""

from __future__ import annotations

import types
import typing
from typing import Any

#: `typing._eval_type` descends into these (and keeps anything else as it is).
_ALIASES = (typing._GenericAlias, types.GenericAlias, types.UnionType)  # type: ignore[attr-defined]

#: (annotations by identity, local values by identity) -> (the answer, the objects the key names).
_ANSWERS: dict[tuple[Any, ...], tuple[dict[str, Any], tuple[Any, ...]]] = {}


def _reads_locals_only(ref: typing.ForwardRef, local_names: frozenset[str]) -> bool:
    code = ref.__forward_code__
    return set(code.co_names) <= local_names and not any(
        isinstance(const, (str, bytes, types.CodeType)) for const in code.co_consts)


def _globals_free(value: Any, local_names: frozenset[str]) -> bool:
    """Whether `typing._eval_type` evaluates `value` without reading a name outside `local_names`."""
    if isinstance(value, typing.ForwardRef):
        return _reads_locals_only(value, local_names)
    if isinstance(value, str):
        return False
    if isinstance(value, _ALIASES):
        return all(_globals_free(arg, local_names) for arg in value.__args__)
    return True


def memo_type_hints(obj: Any, globalns: Any = None, localns: Any = None, include_extras: bool = False) -> Any:
    """`typing.get_type_hints(obj, globalns, localns, include_extras)`, memoised as the module's docstring says."""
    annotations = getattr(obj, "__annotations__", None)
    if include_extras or type(obj) is not types.FunctionType or type(annotations) is not dict or type(
            localns) is not dict:
        return typing.get_type_hints(obj, globalns, localns, include_extras)
    values = tuple(annotations.values())
    local_values = tuple(localns.values())
    key = (tuple(annotations), tuple(map(id, values)), tuple(localns), tuple(map(id, local_values)))
    known = _ANSWERS.get(key)
    if known is not None:
        return dict(known[0])
    answer = typing.get_type_hints(obj, globalns, localns, include_extras)
    local_names = frozenset(localns)
    if all(_globals_free(v, local_names) for v in (*values, *local_values)):
        _ANSWERS[key] = (dict(answer), (*values, *local_values))
    return answer


def memo_unwrap_type(unwrap: Any) -> Any:
    """`unwrap` (the SDK's `unwrap_type`), memoised as the module's docstring says."""
    answers: dict[int, tuple[Any, Any]] = {}  # id(value) -> (value, answer)

    def unwrap_type(val: Any) -> Any:
        known = answers.get(id(val))
        if known is not None and known[0] is val:
            return known[1]
        answer = unwrap(val)
        answers[id(val)] = (val, answer)
        return answer

    unwrap_type.answers = answers  # type: ignore[attr-defined] - for tests
    return unwrap_type
