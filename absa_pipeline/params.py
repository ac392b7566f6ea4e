"""Pipeline parameters: read a package's root inputs, parse ``KEY=VALUE`` overrides.

Pure functions: they work on the compiled pipeline spec as a dict (the YAML
package, or ``json_format.MessageToDict`` of the in-memory spec).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

_INTEGER = re.compile(r"[+-]?\d+")


class ParameterError(ValueError):
    """A ``KEY=VALUE`` override that the pipeline does not accept."""


def root_parameters(spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Returns the root input parameter definitions of a compiled pipeline.

    Args:
        spec: The pipeline spec (``pipelineInfo``, ``root``, ...).

    Returns:
        ``{name: {"parameterType": ..., "defaultValue": ..., ...}}``.
    """
    root = spec.get("root") or {}
    params = (root.get("inputDefinitions") or {}).get("parameters") or {}
    return {str(name): dict(definition) for name, definition in params.items()}


def coerce_value(name: str, raw: str, parameter_type: str) -> Any:
    """Parses one raw value as the declared KFP parameter type.

    Args:
        name: The parameter's name (for the message).
        raw: The text after ``=``.
        parameter_type: ``STRING``, ``NUMBER_INTEGER``, ``NUMBER_DOUBLE``,
            ``BOOLEAN``, ``LIST`` or ``STRUCT``.

    Returns:
        The typed value.

    Raises:
        ParameterError: The text does not parse as that type.
    """
    if parameter_type == "STRING":
        return raw
    if parameter_type == "NUMBER_INTEGER":
        if not _INTEGER.fullmatch(raw.strip()):
            raise ParameterError(f"parameter {name} is an integer; {raw!r} is not")
        return int(raw)
    if parameter_type == "NUMBER_DOUBLE":
        try:
            value = float(raw)
        except ValueError:
            raise ParameterError(f"parameter {name} is a number; {raw!r} is not") from None
        if not math.isfinite(value):
            raise ParameterError(f"parameter {name} must be a finite number, got {raw!r}")
        return value
    if parameter_type == "BOOLEAN":
        lowered = raw.strip().lower()
        if lowered not in ("true", "false"):
            raise ParameterError(f"parameter {name} is a boolean; use true or false, not {raw!r}")
        return lowered == "true"
    if parameter_type in ("LIST", "STRUCT"):
        expected: type = list if parameter_type == "LIST" else dict
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if not isinstance(parsed, expected):
            raise ParameterError(
                f"parameter {name} is a {parameter_type.lower()}; give it as JSON, not {raw!r}")
        return parsed
    raise ParameterError(f"parameter {name} has unsupported type {parameter_type}")


def parse_overrides(pairs: Iterable[str],
                    definitions: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Parses repeated ``KEY=VALUE`` options against the pipeline's root inputs.

    Args:
        pairs: The raw ``KEY=VALUE`` strings.
        definitions: From :func:`root_parameters`.

    Returns:
        ``{name: typed value}``.

    Raises:
        ParameterError: Not ``KEY=VALUE``, an unknown name, a name given
            twice, or a value that does not parse as the declared type.
    """
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"{pair!r} is not KEY=VALUE")
        if name not in definitions:
            known = ", ".join(sorted(definitions))
            raise ParameterError(f"unknown pipeline parameter {name!r}; known: {known}")
        if name in values:
            raise ParameterError(f"pipeline parameter {name!r} is given twice")
        values[name] = coerce_value(name, raw,
                                    str(definitions[name].get("parameterType", "STRING")))
    return values
