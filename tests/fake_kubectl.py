"""A scripted fake ``kubectl`` for tests: an executable put first on PATH.

It records every call (argv and stdin) as a JSON line and answers from rules:
the first rule whose ``match`` words all occur in argv, in order, gives the
exit code, stdout and stderr (``times`` limits how often a rule fires).
Unmatched calls succeed with no output.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

_SCRIPT = r'''#!{python}
import json, os, sys
state_dir = {state_dir!r}
stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
argv = sys.argv[1:]
with open(os.path.join(state_dir, "calls.jsonl"), "a", encoding="utf-8") as log:
    log.write(json.dumps({{"argv": argv, "stdin": stdin}}) + "\n")
rules_path = os.path.join(state_dir, "rules.json")
rules = json.load(open(rules_path, encoding="utf-8")) if os.path.exists(rules_path) else []

def matches(words, argv):
    position = 0
    for word in words:
        try:
            position = argv.index(word, position) + 1
        except ValueError:
            return False
    return True

for rule in rules:
    if rule.get("times", 1) != 0 and matches(rule["match"], argv):
        if "times" in rule:
            rule["times"] -= 1
            json.dump(rules, open(rules_path, "w", encoding="utf-8"))
        sys.stdout.write(rule.get("stdout", ""))
        sys.stderr.write(rule.get("stderr", ""))
        sys.exit(rule.get("exit", 0))
sys.exit(0)
'''


class FakeKubectl:
    """A fake kubectl installed in ``bin_dir``; prepend that to PATH to use it."""

    def __init__(self, root: Path) -> None:
        self.bin_dir = root / "bin"
        self.state_dir = root / "state"
        self.bin_dir.mkdir(parents=True)
        self.state_dir.mkdir(parents=True)
        exe = self.bin_dir / "kubectl"
        exe.write_text(_SCRIPT.format(python=sys.executable, state_dir=str(self.state_dir)),
                       encoding="utf-8")
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        self.rules: list[dict[str, Any]] = []

    def on(self, *words: str, exit: int = 0, stdout: str = "", stderr: str = "",
           times: int | None = None) -> FakeKubectl:
        """Adds a rule: calls whose argv holds ``words`` in order get this answer."""
        rule: dict[str, Any] = {"match": list(words), "exit": exit, "stdout": stdout,
                                "stderr": stderr}
        if times is not None:
            rule["times"] = times
        self.rules.append(rule)
        (self.state_dir / "rules.json").write_text(json.dumps(self.rules), encoding="utf-8")
        return self

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Every call so far: ``{"argv": [...], "stdin": str}``."""
        log = self.state_dir / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    @property
    def verbs(self) -> list[str]:
        """The first one or two words of each call, e.g. ``rollout status``."""
        out = []
        for call in self.calls:
            argv = call["argv"]
            out.append(" ".join(argv[:2]) if argv and argv[0] == "rollout" else argv[0])
        return out

    def path_with(self) -> str:
        """PATH with this fake first."""
        return f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
