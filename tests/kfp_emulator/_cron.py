"""Self-contained cron spec check modelled on ``robfig/cron`` v1 ``cron.Parse``.

The KFP API server validates ``trigger.cron_schedule.cron`` with
``github.com/robfig/cron`` (v1) ``cron.Parse``, whose default parser is
``Second | Minute | Hour | Dom | Month | DowOptional | Descriptor``:

* 6 fields: ``second minute hour day-of-month month day-of-week``;
* 5 fields: ``second minute hour day-of-month month`` (day-of-week defaults to ``*``);
  note this is *not* the classic crontab layout;
* descriptors ``@yearly @annually @monthly @weekly @daily @midnight @hourly`` and
  ``@every <Go duration>``;
* an optional ``TZ=<IANA zone>`` prefix.

This module only *validates* (it raises :class:`ValueError` with a robfig-like
message); it does not compute activation times. It is the emulator's default
``cron_validator`` and is meant to be replaced by a full parser.
"""

from __future__ import annotations

import re

__all__ = ["default_cron_validator"]

# (name, min, max, names)
_MONTH_NAMES = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_DOW_NAMES = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_FIELDS: list[tuple[str, int, int, dict[str, int]]] = [
    ("second", 0, 59, {}),
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _MONTH_NAMES),
    ("day of week", 0, 6, _DOW_NAMES),
]
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_GO_DURATION = re.compile(r"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$")


def _parse_int(expr: str, names: dict[str, int]) -> int:
    lowered = expr.lower()
    if lowered in names:
        return names[lowered]
    if not re.fullmatch(r"\d+", expr):
        raise ValueError(f"Failed to parse int from {expr}")
    return int(expr)


def _check_range(expr: str, lo: int, hi: int, names: dict[str, int]) -> None:
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single_digit = len(low_and_high) == 1
    if low_and_high[0] in ("*", "?"):
        start, end = lo, hi
    else:
        start = _parse_int(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _parse_int(low_and_high[1], names)
        else:
            raise ValueError(f"Too many hyphens: {expr}")
    if len(range_and_step) == 2:
        step = _parse_int(range_and_step[1], {})
        if step == 0:
            raise ValueError(f"Step of range should be a positive number: {expr}")
        if single_digit and low_and_high[0] not in ("*", "?"):
            end = hi  # "N/step" means "N-max/step"
    elif len(range_and_step) > 2:
        raise ValueError(f"Too many slashes: {expr}")
    if start < lo:
        raise ValueError(f"Beginning of range ({start}) below minimum ({lo}): {expr}")
    if end > hi:
        raise ValueError(f"End of range ({end}) above maximum ({hi}): {expr}")
    if start > end:
        raise ValueError(f"Beginning of range ({start}) beyond end of range ({end}): {expr}")


def default_cron_validator(spec: str) -> None:
    """Validate ``spec`` like robfig/cron v1 ``cron.Parse``; raise ``ValueError`` if invalid."""
    if not isinstance(spec, str):
        raise ValueError("Empty spec string")
    spec = spec.strip()
    if spec.startswith("TZ="):
        zone, _, rest = spec[3:].partition(" ")
        if not zone or not rest:
            raise ValueError(f"Provided bad location {zone}")
        try:
            import zoneinfo

            zoneinfo.ZoneInfo(zone)
        except Exception as exc:
            raise ValueError(f"Provided bad location {zone}: {exc}") from None
        spec = rest.strip()
    if not spec:
        raise ValueError("Empty spec string")
    if spec.startswith("@"):
        if spec in _DESCRIPTORS:
            return
        if spec.startswith("@every "):
            duration = spec[len("@every "):].strip()
            if duration == "0" or _GO_DURATION.match(duration):
                return
            raise ValueError(
                f"Failed to parse duration {spec}: time: invalid duration {duration!r}")
        raise ValueError(f"Unrecognized descriptor: {spec}")
    fields = spec.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"Expected 5 to 6 fields, found {len(fields)}: {spec}")
    for field, (_name, lo, hi, names) in zip(fields, _FIELDS, strict=False):
        for expr in field.split(","):
            if expr == "":
                raise ValueError(f"Failed to parse int from {expr}")
            _check_range(expr, lo, hi, names)
