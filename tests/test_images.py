"""Pinned images and packages: one source of truth, mirrored by the ``local`` extra."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

from absa_pipeline import images

ROOT = Path(__file__).resolve().parents[1]


def test_local_extra_pins_exactly_what_the_components_install() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    local = set(project["optional-dependencies"]["local"])
    wanted = {p for p in images.TRAIN_PACKAGES + images.DEPLOY_PACKAGES if not p.startswith("-")}
    assert local == wanted


def test_every_package_is_pinned_exactly() -> None:
    for requirement in images.TRAIN_PACKAGES + images.DEPLOY_PACKAGES:
        assert requirement == "--no-deps" or re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][\w.]*",
                                                          requirement), requirement


def test_images_are_pinned_and_never_latest() -> None:
    for image in (images.PYTHON_IMAGE, images.DEFAULT_DEPLOYER_IMAGE,
                  images.DEFAULT_SERVING_IMAGE):
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag and tag != "latest", image


def test_dockerfiles_pin_their_base_images() -> None:
    for dockerfile in ROOT.glob("images/*/Dockerfile"):
        for line in dockerfile.read_text(encoding="utf-8").splitlines():
            if line.startswith("FROM "):
                image = line.split()[1]
                assert ":" in image and not image.endswith(":latest"), (dockerfile, line)
