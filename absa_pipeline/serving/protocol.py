"""The KServe v1 predict request of the ABSA server: parsing and validation (pure).

A request is ``{"instances": [instance, ...]}``; an instance is an object with
``text`` and the aspect, either as a term (``"aspect"``) or as character
offsets (``"from"``, ``"to"``; ``to`` exclusive, as in SemEval), or both (then
they must agree). A term is looked up in the text: its FIRST occurrence is the
aspect (an exact match; failing that, the first case-insensitive match). Give
offsets to choose another occurrence.

Every problem raises :class:`BadRequest` with one line that names the
instance and the field; the server answers it with HTTP 400.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Largest request body in bytes.
MAX_BODY_BYTES = 1024 * 1024
#: Most instances in one request.
MAX_INSTANCES = 256
#: Longest text of one instance, in characters.
MAX_TEXT_CHARS = 5000


class BadRequest(ValueError):
    """The request is malformed; the message says what to fix (HTTP 400)."""


def _offset(instance: dict[str, Any], key: str, where: str) -> int:
    value = instance[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{where}: {key!r} must be an integer character offset, "
                         f"got {type(value).__name__}")
    return value


def parse_instance(instance: Any, index: int = 0) -> dict[str, Any]:
    """Validates one instance and resolves its aspect to character offsets.

    Args:
        instance: One element of ``instances``.
        index: Its position, for messages.

    Returns:
        ``{"text", "from", "to"}``, the item ``predict_polarities`` takes.

    Raises:
        BadRequest: Missing fields, wrong types, a text too long, an aspect
            not in the text or offsets out of range.
    """
    where = f"instances[{index}]"
    if not isinstance(instance, dict):
        raise BadRequest(f"{where} must be an object with \"text\" and \"aspect\" "
                         f"(or \"from\"/\"to\"), got {type(instance).__name__}")
    if "text" not in instance:
        raise BadRequest(f"{where}: missing field \"text\"")
    text = instance["text"]
    if not isinstance(text, str):
        raise BadRequest(f"{where}: \"text\" must be a string, got {type(text).__name__}")
    if not text.strip():
        raise BadRequest(f"{where}: \"text\" is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise BadRequest(f"{where}: \"text\" has {len(text)} characters; "
                         f"at most {MAX_TEXT_CHARS} are accepted")
    has_term = instance.get("aspect") is not None
    has_from, has_to = "from" in instance, "to" in instance
    if has_from != has_to:
        raise BadRequest(f"{where}: give both \"from\" and \"to\" (character offsets, "
                         "\"to\" exclusive), or neither")
    if not has_term and not has_from:
        raise BadRequest(f"{where}: missing the aspect: give \"aspect\" (a term in the text) "
                         "or \"from\" and \"to\" (character offsets)")
    term: str | None = None
    if has_term:
        term = instance["aspect"]
        if not isinstance(term, str):
            raise BadRequest(f"{where}: \"aspect\" must be a string, got {type(term).__name__}")
        if not term.strip():
            raise BadRequest(f"{where}: \"aspect\" is empty")
    if has_from:
        start, end = _offset(instance, "from", where), _offset(instance, "to", where)
        if not 0 <= start < end <= len(text):
            raise BadRequest(f"{where}: offsets from={start} to={end} are out of range for a "
                             f"text of {len(text)} characters (need 0 <= from < to <= len)")
        if term is not None and text[start:end] != term:
            raise BadRequest(f"{where}: offsets from={start} to={end} give "
                             f"{text[start:end]!r}, not the aspect {term!r}")
        return {"text": text, "from": start, "to": end}
    assert term is not None
    start = text.find(term)
    if start < 0:
        match = re.search(re.escape(term), text, flags=re.IGNORECASE)
        if match is None:
            shown = term if len(term) <= 60 else term[:57] + "..."
            raise BadRequest(f"{where}: aspect {shown!r} does not occur in the text")
        return {"text": text, "from": match.start(), "to": match.end()}
    return {"text": text, "from": start, "to": start + len(term)}


def parse_predict_request(body: bytes) -> list[dict[str, Any]]:
    """Parses a KServe v1 predict body into the items ``predict_polarities`` takes.

    Args:
        body: The raw request body (JSON).

    Returns:
        One ``{"text", "from", "to"}`` item per instance, in order.

    Raises:
        BadRequest: Oversized, not JSON, not ``{"instances": [...]}``, empty,
            too many instances, or an invalid instance.
    """
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"request body is larger than {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as exc:
        detail = f" ({exc})" if isinstance(exc, json.JSONDecodeError) else ""
        raise BadRequest(f"request body is not valid JSON{detail}") from None
    if not isinstance(payload, dict):
        raise BadRequest("request body must be a JSON object {\"instances\": [...]}")
    if "instances" not in payload:
        raise BadRequest("missing field \"instances\": send {\"instances\": "
                         "[{\"text\": ..., \"aspect\": ...}]}")
    instances = payload["instances"]
    if not isinstance(instances, list):
        raise BadRequest(f"\"instances\" must be a list, got {type(instances).__name__}")
    if not instances:
        raise BadRequest("\"instances\" is empty; send at least one")
    if len(instances) > MAX_INSTANCES:
        raise BadRequest(f"\"instances\" has {len(instances)} elements; at most "
                         f"{MAX_INSTANCES} per request")
    return [parse_instance(instance, i) for i, instance in enumerate(instances)]
