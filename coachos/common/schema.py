"""Strict JSON input for the whole API: one base ``Schema`` and the body parser that goes with it.

pydantic's lax mode turns ``{"plan": true}`` into plan 1 and ``{"date": 0}`` into 1970-01-01;
strict mode in Python would also refuse "2026-03-10" for a date, and ninja validates bodies as
Python objects. So the parser marks every object of a JSON body (``JsonObject``), and the base
schema checks such an object against its fields' types before pydantic coerces anything: the JSON
type must be the one the OpenAPI document gives (an integer for ``int``, never ``true``, ``1.0`` or
``"1"``; a boolean for ``bool``; a string for ids and text; a number or a numeric string for
``Decimal``), and dates and times are ISO 8601 strings read by ``coachos.common.moments`` (a date
YYYY-MM-DD, a date and time with its UTC offset, within the years moments allows — ``"0"`` is
no date). Query strings and forms are text by nature and stay lax. Types that read
their input themselves (a ``BeforeValidator``, like scheduling's ``Instant``) are left to it.

Every schema of an API body inherits from ``coachos.common.schema.Schema`` (tests/hardening checks).
"""

from __future__ import annotations

import json
import re
import types
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

from django.http import HttpRequest
from ninja import Schema as NinjaSchema
from ninja.parser import Parser
from pydantic import BaseModel, BeforeValidator, PlainValidator, ValidationError, WrapValidator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

from . import moments

# Beyond any number a column holds (PostgreSQL's bigint): a larger one is bad input, not a 500.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
INSTANT_EXAMPLE = "2026-03-10T10:00:00-05:00"
YEARS = f"between the years {moments.EARLIEST.year} and {moments.LATEST.year}"
_TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?")
_SELF_READING = (BeforeValidator, PlainValidator, WrapValidator)


class JsonObject(dict[str, Any]):
    """An object read from a JSON request body (what the strict checks apply to)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python's json reads them, JSON has no such numbers


class JsonParser(Parser):
    """ninja's JSON parser, marking each object it reads as a ``JsonObject``."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return json.loads(request.body, object_hook=JsonObject, parse_constant=_no_constant)  # type: ignore[no-any-return]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _expected(tp: Any, value: Any) -> str | None:
    """What ``value`` should have been for a field of type ``tp`` (None: fine, or pydantic decides)."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *meta = get_args(tp)
        if any(isinstance(m, _SELF_READING) for m in meta):
            return None
        return _expected(base, value)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if value is None and len(options) < len(get_args(tp)):
            return None
        wants = [_expected(option, value) for option in options]
        return None if any(w is None for w in wants) else " or ".join(dict.fromkeys(w for w in wants if w))
    if origin is Literal:
        literals = get_args(tp)
        # True == 1 in Python: a boolean is a value of a Literal of numbers only when it is listed itself.
        if any(v is value for v in literals) or not isinstance(value, bool):
            return None
        return "one of " + ", ".join(json.dumps(v) for v in literals)
    if origin in (list, set, frozenset, tuple):
        return None  # the items are checked one by one (_errors), the container by pydantic
    if not isinstance(tp, type):
        return None
    if issubclass(tp, Enum):  # a value of the members' JSON type: pydantic says whether it is one of them
        members = [m.value for m in tp]
        if any(type(v) is type(value) for v in members):
            return None
        return "one of " + ", ".join(json.dumps(v) for v in members)
    if issubclass(tp, bool):
        return None if isinstance(value, bool) else "a boolean"
    if issubclass(tp, int):
        return None if isinstance(value, int) and not isinstance(value, bool) else "an integer"
    if issubclass(tp, float):
        return None if isinstance(value, int | float) and not isinstance(value, bool) else "a number"
    if issubclass(tp, Decimal):
        ok = isinstance(value, int | float | str) and not isinstance(value, bool)
        return None if ok else "a number or a numeric string"
    if issubclass(tp, datetime):
        ok = moments.instant_from_iso(value) is not None
        return None if ok else f"a date and time with its UTC offset, e.g. {INSTANT_EXAMPLE}, {YEARS}"
    if issubclass(tp, date):
        return None if moments.day_from(value) is not None else f"a date as YYYY-MM-DD, {YEARS}"
    if issubclass(tp, time):
        return None if isinstance(value, str) and _TIME_RE.fullmatch(value) else "a time of day as HH:MM"
    if issubclass(tp, str | timedelta | UUID):
        return None if isinstance(value, str) else "a string"
    return None


def _errors(tp: Any, value: Any, loc: tuple[str | int, ...]) -> list[InitErrorDetails]:
    expected = _expected(tp, value)
    if expected is not None and isinstance(value, str) and expected.startswith(("a date", "a time")):
        return [{"type": PydanticCustomError("strict_format", "Input should be {expected}.", {"expected": expected}),
                 "loc": loc, "input": value}]
    if expected is not None:
        return [{"type": PydanticCustomError("strict_type", "Input should be {expected}, not {got}.",
                                             {"expected": expected, "got": _json_type(value)}),
                 "loc": loc, "input": value}]
    if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        return [{"type": PydanticCustomError("int_range", "This number is out of range."), "loc": loc, "input": value}]
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return [] if any(isinstance(m, _SELF_READING) for m in args[1:]) else _errors(args[0], value, loc)
    if origin in (Union, types.UnionType):
        # The first option the value fits decides (an int | str field: a string is checked as text).
        fitting = [a for a in args if a is not type(None) and _expected(a, value) is None]
        return _errors(fitting[0], value, loc) if fitting else []
    if origin in (list, set, frozenset, tuple) and isinstance(value, list) and args:
        found: list[InitErrorDetails] = []
        for index, item in enumerate(value):
            item_type = args[0] if origin is not tuple or args[-1] is Ellipsis else (
                args[index] if index < len(args) else None)
            if item_type is not None:
                found.extend(_errors(item_type, item, (*loc, index)))
        return found
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return [e for key, item in value.items() for e in _errors(args[1], item, (*loc, str(key)))]
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(value, dict):
        return _model_errors(tp, value, loc)
    return []


def _keys(name: str, field: FieldInfo) -> list[str]:
    keys = [field.validation_alias] if isinstance(field.validation_alias, str) else []
    return keys + ([field.alias] if field.alias else []) + [name]


def _model_errors(model: type[BaseModel], data: dict[str, Any], loc: tuple[str | int, ...] = ()) -> list[InitErrorDetails]:
    found: list[InitErrorDetails] = []
    for name, field in model.model_fields.items():
        key = next((k for k in _keys(name, field) if k in data), None)
        if key is None:
            continue
        if any(isinstance(m, _SELF_READING) for m in field.metadata):
            continue
        found.extend(_errors(field.annotation, data[key], (*loc, key)))
    return found


class Schema(NinjaSchema):
    """The base of every API schema: a JSON body's values must have their documented JSON types."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: Any, info: Any) -> Any:
        if isinstance(values, JsonObject):
            errors = _model_errors(cls, values)
            if errors:
                raise ValidationError.from_exception_data(cls.__name__, errors)
        return NinjaSchema._run_root_validator.__func__(cls, values, handler, info)  # type: ignore[attr-defined]
