"""Writing output files from the commands, with one-line errors instead of tracebacks."""

from __future__ import annotations

from pathlib import Path

import click


def write_output(path: Path, text: str) -> None:
    """Writes a command's output file, creating its folder.

    Args:
        path: Where to write.
        text: The content (UTF-8).

    Raises:
        click.ClickException: The folder or file cannot be written (exit 1).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


def ensure_directory(path: Path, option: str) -> None:
    """Creates a directory a command will write into.

    Args:
        path: The directory.
        option: The option that named it, for the message.

    Raises:
        click.BadParameter: It cannot be created (exit 2).
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.BadParameter(f"cannot create {path}: {exc.strerror or exc}",
                                 param_hint=option) from None
