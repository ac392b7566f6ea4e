"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_kubectl import FakeKubectl


@pytest.fixture
def fake_kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeKubectl:
    """A scripted fake kubectl, first on PATH for this test."""
    fake = FakeKubectl(tmp_path / "fake-kubectl")
    monkeypatch.setenv("PATH", fake.path_with())
    return fake


@pytest.fixture
def no_kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH on which no kubectl can be found (python stays reachable)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
