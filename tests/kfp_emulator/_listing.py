"""Filter, sort and pagination logic shared by the emulator's List endpoints.

Mirrors ``backend/src/apiserver/filter/filter.go`` and ``backend/src/apiserver/list/list.go``:

* filter: url-encoded JSON ``Filter`` proto; the server ``url.QueryUnescape``s the (already
  query-decoded) value once more, so a literal ``+`` in a value becomes a space;
* operations EQUALS / NOT_EQUALS / IN / IS_SUBSTRING compare strings case-insensitively
  (``LOWER(col) = LOWER(?)`` / ``LIKE``); GREATER_THAN[_EQUALS] / LESS_THAN[_EQUALS] compare
  numbers (``created_at`` is compared in epoch seconds);
* unknown filter or sort keys -> InvalidArgument;
* page size: 0 -> 20, > 200 -> 200, < 0 -> InvalidArgument;
* keyset pagination ordered by (sort field, key); ``next_page_token`` is opaque base64 JSON
  carrying the sort/filter criteria; passing a token together with a different sort_by/filter
  is rejected like the real server does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200

_OPERATION_NUMBERS = {
    0: "OPERATION_UNSPECIFIED",
    1: "EQUALS",
    2: "NOT_EQUALS",
    3: "GREATER_THAN",
    5: "GREATER_THAN_EQUALS",
    6: "LESS_THAN",
    7: "LESS_THAN_EQUALS",
    8: "IN",
    9: "IS_SUBSTRING",
}
_SCALAR_OPS = {"EQUALS", "NOT_EQUALS", "GREATER_THAN", "GREATER_THAN_EQUALS", "LESS_THAN",
               "LESS_THAN_EQUALS"}


class InvalidListRequest(ValueError):
    """Raised for a malformed filter, sort_by, page size or page token (-> HTTP 400)."""


@dataclass(frozen=True)
class Predicate:
    """One parsed filter predicate."""

    key: str
    operation: str
    value: Any


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _get(d: dict[str, Any], name: str) -> Any:
    if name in d:
        return d[name]
    return d.get(_camel(name))


def parse_timestamp(value: Any) -> int:
    """RFC 3339 timestamp -> epoch seconds (raises InvalidListRequest)."""
    if isinstance(value, (int, float)):
        return int(value)
    try:
        text = str(value).replace("Z", "+00:00")
        parsed = _dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidListRequest(f"failed to parse timestamp {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return int(parsed.timestamp())


def parse_filter(encoded: str) -> list[Predicate]:
    """Parse the ``filter`` query value into predicates (empty string -> no predicates)."""
    if not encoded:
        return []
    decoded = urllib.parse.unquote_plus(encoded)
    try:
        doc = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise InvalidListRequest(f"failed to parse valid filter from {encoded!r}: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidListRequest(f"failed to parse valid filter from {encoded!r}")
    preds: list[Predicate] = []
    for raw in doc.get("predicates") or []:
        if not isinstance(raw, dict):
            raise InvalidListRequest(f"failed to parse valid filter from {encoded!r}")
        op = _get(raw, "operation")
        if op is None:
            op = _get(raw, "op")
        if isinstance(op, int):
            op = _OPERATION_NUMBERS.get(op, str(op))
        op = str(op or "OPERATION_UNSPECIFIED").upper()
        key = raw.get("key") or ""
        value: Any = None
        found = False
        for field, conv in (
            ("string_value", str),
            ("int_value", int),
            ("long_value", int),
            ("timestamp_value", parse_timestamp),
        ):
            v = _get(raw, field)
            if v is not None:
                try:
                    value = conv(v)
                except (TypeError, ValueError):
                    raise InvalidListRequest(f"invalid {field} {v!r}") from None
                found = True
                break
        if not found:
            for field, conv in (("string_values", str), ("int_values", int), ("long_values", int)):
                v = _get(raw, field)
                if v is not None:
                    values = v.get("values", []) if isinstance(v, dict) else v
                    value = [conv(x) for x in values or []]
                    found = True
                    break
        if not key:
            raise InvalidListRequest(
                f"Predicate key cannot be empty for operation {op} and value {value}")
        if op == "IN":
            if not isinstance(value, list):
                raise InvalidListRequest(f"cannot use IN operator with scalar type {type(value)}")
        elif op in _SCALAR_OPS:
            if isinstance(value, list):
                raise InvalidListRequest(f"cannot use scalar operator {op} on array type")
        elif op == "IS_SUBSTRING":
            if not isinstance(value, str):
                raise InvalidListRequest(f"cannot use non string value type with operator {op}")
        else:
            raise InvalidListRequest(f"invalid predicate operation: {op}")
        preds.append(Predicate(key=key, operation=op, value=value))
    return preds


def _norm(v: Any) -> Any:
    return v.lower() if isinstance(v, str) else v


def _matches(pred: Predicate, actual: Any) -> bool:
    op, want = pred.operation, pred.value
    if isinstance(actual, str) or isinstance(want, str) or (
        isinstance(want, list) and any(isinstance(x, str) for x in want)
    ):
        a = _norm("" if actual is None else str(actual))
        if op == "EQUALS":
            return bool(a == _norm(str(want)))
        if op == "NOT_EQUALS":
            return bool(a != _norm(str(want)))
        if op == "IN":
            return bool(a in {_norm(str(x)) for x in want})
        if op == "IS_SUBSTRING":
            return bool(_norm(str(want)) in a)
        b = _norm(str(want))
    else:
        a = actual if actual is not None else 0
        b = want
        if op == "EQUALS":
            return bool(a == b)
        if op == "NOT_EQUALS":
            return bool(a != b)
        if op == "IN":
            return bool(a in set(want))
    try:
        if op == "GREATER_THAN":
            return bool(a > b)
        if op == "GREATER_THAN_EQUALS":
            return bool(a >= b)
        if op == "LESS_THAN":
            return bool(a < b)
        if op == "LESS_THAN_EQUALS":
            return bool(a <= b)
    except TypeError:
        return False
    return False


@dataclass
class ListSpec:
    """Describes a listable resource: API key -> record getter, and sortable API fields."""

    fields: dict[str, Callable[[dict[str, Any]], Any]]
    sortable: dict[str, str]  # API sort name -> canonical field key in ``fields``
    default_sort: str = "created_at"


def _sort_key(spec: ListSpec, field: str, rec: dict[str, Any]) -> list[Any]:
    v = spec.fields[field](rec)
    if isinstance(v, str):
        v = v.lower()
    return [v, rec["_seq"], rec["_id"]]


def _parse_sort(spec: ListSpec, sort_by: str) -> tuple[str, bool]:
    parts = sort_by.lower().split()
    if len(parts) > 2 or (len(parts) == 2 and parts[1] not in ("asc", "desc")):
        raise InvalidListRequest(
            f"Received invalid sort by format `{sort_by}`. Supported format: \"field_name\", "
            "\"field_name desc\", or \"field_name asc\"")
    desc = len(parts) == 2 and parts[1] == "desc"
    if not parts:
        return spec.default_sort, desc
    if parts[0] not in spec.sortable:
        raise InvalidListRequest(f"Invalid sorting field: \"{parts[0]}\" on listable type")
    return spec.sortable[parts[0]], desc


def _encode_token(payload: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(payload, sort_keys=True).encode()).decode()


def _decode_token(token: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.b64decode(token.encode(), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidListRequest("Invalid package token.") from None
    if not isinstance(payload, dict) or "sort" not in payload or "after" not in payload:
        raise InvalidListRequest("Invalid package token.")
    return payload


def paginate(
    records: list[dict[str, Any]],
    spec: ListSpec,
    *,
    page_token: str = "",
    page_size: int = 0,
    sort_by: str = "",
    filter_spec: str = "",
) -> tuple[list[dict[str, Any]], int, str]:
    """Filter/sort/paginate ``records``; return ``(page, total_size, next_page_token)``."""
    if page_size < 0:
        raise InvalidListRequest(f"The page size should be greater than 0. Got {page_size}")
    size = DEFAULT_PAGE_SIZE if page_size == 0 else min(page_size, MAX_PAGE_SIZE)

    if page_token:
        token = _decode_token(page_token)
        sort_field, desc, raw_filter = token["sort"], bool(token["desc"]), token["filter"]
        after = token["after"]
        if sort_by or filter_spec:
            want_sort, want_desc = _parse_sort(spec, sort_by)
            want_filter = filter_spec
            if (want_sort, want_desc) != (sort_field, desc) or (
                parse_filter(want_filter) != parse_filter(raw_filter)
            ):
                raise InvalidListRequest(
                    "page token does not match the supplied sort by and/or filtering criteria. "
                    "Either specify the same criteria or leave the latter empty if page token "
                    "is specified.")
    else:
        sort_field, desc = _parse_sort(spec, sort_by)
        raw_filter = filter_spec
        after = None
    preds = parse_filter(raw_filter)
    for p in preds:
        if p.key not in spec.fields:
            raise InvalidListRequest(f"no support for filtering on unrecognized field {p.key!r}")

    def keep(rec: dict[str, Any]) -> bool:
        return all(_matches(p, spec.fields[p.key](rec)) for p in preds)

    matched = [r for r in records if keep(r)]
    total = len(matched)
    matched.sort(key=lambda r: _sort_key(spec, sort_field, r), reverse=desc)
    if after is not None:
        def beyond(rec: dict[str, Any]) -> bool:
            k = _sort_key(spec, sort_field, rec)
            try:
                return bool(k < after if desc else k > after)
            except TypeError:
                return False

        matched = [r for r in matched if beyond(r)]
    page = matched[:size]
    next_token = ""
    if len(matched) > size:
        next_token = _encode_token({
            "sort": sort_field,
            "desc": desc,
            "filter": raw_filter,
            "after": _sort_key(spec, sort_field, page[-1]),
        })
    return page, total, next_token
