"""The response figures to JSON and back, for `reports.ResponseSnapshot`.

Generic over frozen dataclasses from their type hints (nested dataclasses, lists, optionals), so a
new field of a figure travels without a hand-written mapping. JSON, never pickle: the stored text
is data, never code. Infinite odds ratios (a separated model) travel as JSON's Infinity.
"""

from __future__ import annotations

import dataclasses
import json
import types
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from dryneedling.reports.response.figures import ResponseFigures

T = TypeVar("T")


def dumps(figures: ResponseFigures) -> str:
    return json.dumps(dataclasses.asdict(figures), allow_nan=True, separators=(",", ":"))


def loads(text: str) -> ResponseFigures:
    return _decode(ResponseFigures, json.loads(text))


def _decode(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = get_type_hints(kind)
        values = {f.name: _decode(hints[f.name], data[f.name]) for f in dataclasses.fields(kind) if f.name in data}
        return kind(**values)
    origin = get_origin(kind)
    if origin is list:
        (item,) = get_args(kind)
        return [_decode(item, value) for value in data]
    if origin is dict:
        key, item = get_args(kind)
        return {_decode(key, k): _decode(item, v) for k, v in data.items()}
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(kind) if a is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    return data
