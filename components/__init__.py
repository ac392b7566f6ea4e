"""The ABSA pipeline's lightweight KFP components, one per module.

Importable in notebooks::

    from components import build_model, test_model, deploy_model
"""

from components.build_model import build_model
from components.deploy_model import deploy_model, make_deploy_model
from components.test_model import test_model

__all__ = ["build_model", "deploy_model", "make_deploy_model", "test_model"]
