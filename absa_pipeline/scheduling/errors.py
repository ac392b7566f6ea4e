"""The one exception type of :mod:`absa_pipeline.scheduling`."""

from __future__ import annotations


class CronError(ValueError):
    """A cron expression or time zone that cannot be used as asked.

    ``str(error)`` is always one user-facing line that names the problem and
    says what to do about it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))
