"""absa-pipeline: an ABSA model's path to production as Kubeflow Pipelines v2 code."""

__version__ = "0.1.0"
