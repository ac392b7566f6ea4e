"""An output path that cannot be written ends in one line, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from absa_pipeline.compile import compile_command
from absa_pipeline.run_local import run_local_command
from absa_pipeline.samples import samples_command


@pytest.fixture
def blocker(tmp_path: Path) -> Path:
    """A regular file: nothing can be created below it."""
    path = tmp_path / "a-file"
    path.write_text("", encoding="utf-8")
    return path


@pytest.mark.parametrize(("command", "args", "code", "message"), [
    (compile_command, ["--output", "{b}/x.yaml"], 1, "cannot write {b}/x.yaml"),
    (samples_command, ["--directory", "{b}/m"], 1, "cannot write {b}/m/"),
    (run_local_command, ["--pipeline-root", "{b}/root"], 2, "cannot create {b}/root"),
])
def test_unwritable_output_is_one_line(blocker: Path, command, args: list[str], code: int,
                                       message: str) -> None:
    result = CliRunner().invoke(command, [a.format(b=blocker) for a in args])
    assert result.exit_code == code, result.output
    assert message.format(b=blocker) in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, OSError)
