"""Pinned images and packages of the components (the one place to change them).

``run-local`` executes the components in the current Python environment, where
kfp.local's pip step must find these exact versions already installed: the
``local`` extra in pyproject.toml pins the same versions (a test keeps them in
step).
"""

from __future__ import annotations

#: Base image of build_model and test_model (official Python image, version-pinned).
PYTHON_IMAGE = "python:3.11.13-slim-bookworm"

#: What build_model installs at start: scikit-learn and its whole closure, and the package
#: that ships the VADER lexicon, exact; ``--no-deps`` because the closure is complete (the
#: lexicon package's ``requests`` dependency serves only its demo).
TRAIN_PACKAGES = [
    "--no-deps",
    "vaderSentiment==3.3.2",
    "numpy==2.4.6",
    "scipy==1.17.1",
    "scikit-learn==1.9.1",
    "joblib==1.6.0",
    "threadpoolctl==3.8.0",
    "narwhals==2.29.0",
]

#: What deploy_model needs beyond the standard library (the deployer image has it).
DEPLOY_PACKAGES = ["PyYAML==6.0.4"]

#: Image of deploy_model: python3 plus a pinned kubectl. Built from
#: images/deployer/Dockerfile (no maintained public image has both); override
#: with ``python -m absa_pipeline.compile --deployer-image``.
DEFAULT_DEPLOYER_IMAGE = "ghcr.io/absa-pipeline/deployer-python:0.1.0-kubectl1.32.4"

#: The model server image the pipeline deploys by default (``serving_image``).
DEFAULT_SERVING_IMAGE = "ghcr.io/absa-pipeline/absa-server:0.1.0"
