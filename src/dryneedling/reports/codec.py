"""Stored figures to JSON and back (`reports.ResponseSnapshot`, `reports.DashboardSnapshot`).

Generic over frozen dataclasses from their type hints (nested dataclasses, lists, tuples, dicts
with number keys, optionals, durations), so a new field of a figure travels without a
hand-written mapping. JSON, never pickle: the stored text is data, never code. Infinite values
(a separated model's odds ratio) travel as JSON's Infinity.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
from datetime import timedelta
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


def _plain(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise TypeError(f"{type(value).__name__} has no stored form")


def dumps(figures: Any) -> str:
    return json.dumps(dataclasses.asdict(figures), allow_nan=True, separators=(",", ":"), default=_plain)


def loads(kind: type[T], text: str) -> T:
    decoded: T = _decode(kind, json.loads(text))
    return decoded


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    """A dataclass's field types, resolved once per class (issue 14: resolving them for every
    stored item was most of a dashboard view's time)."""
    return get_type_hints(kind)


def _decode(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = _hints(kind)
        values = {f.name: _decode(hints[f.name], data[f.name]) for f in dataclasses.fields(kind) if f.name in data}
        return kind(**values)
    if kind is timedelta:
        return timedelta(seconds=data)
    if kind in (int, float):  # also a dict's key, which JSON keeps as text
        return kind(data)
    origin = get_origin(kind)
    if origin is list:
        (item,) = get_args(kind)
        return [_decode(item, value) for value in data]
    if origin is tuple:
        items = get_args(kind)
        if len(items) == 2 and items[1] is Ellipsis:
            return tuple(_decode(items[0], value) for value in data)
        return tuple(_decode(item, value) for item, value in zip(items, data, strict=True))
    if origin is dict:
        key, item = get_args(kind)
        return {_decode(key, k): _decode(item, v) for k, v in data.items()}
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(kind) if a is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    return data
