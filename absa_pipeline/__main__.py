"""``python -m absa_pipeline``: the ``absa-pipeline`` command."""

from absa_pipeline.cli import main

main()
