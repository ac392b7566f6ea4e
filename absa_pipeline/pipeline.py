"""The ABSA deployment pipeline: import data -> build -> test -> gate -> deploy.

Compile with ``python -m absa_pipeline.compile`` (or ``kfp dsl compile --py
absa_pipeline/pipeline.py --function absa_pipeline``). Nothing here reads the
environment, so the compiled file does not depend on the machine.
"""

from typing import NamedTuple

from kfp import dsl, kubernetes
from kfp.dsl import Dataset, Metrics, Model

from absa_pipeline.images import DEFAULT_DEPLOYER_IMAGE, DEFAULT_SERVING_IMAGE
from components import build_model, make_deploy_model, test_model

PIPELINE_NAME = "absa-model-deployment-pipeline"
PIPELINE_DISPLAY_NAME = "ABSA Model Deployment Pipeline"
#: The ConfigMap whose ``deployment.yaml`` replaces the built-in manifests.
DEPLOYMENT_CONFIG_MAP = "deployment-config"
#: Where the deploy task mounts it.
DEPLOYMENT_CONFIG_MOUNT = "/app"
#: A bound on the deploy task (apply + rollout + a possible undo and its rollout).
DEPLOY_TASK_TIMEOUT_S = 1800

PipelineOutputs = NamedTuple(  # noqa: UP014 - kfp reads the functional form
    "PipelineOutputs",
    [("gate_passed", bool), ("metrics", Metrics), ("model", Model)],
)


def build_pipeline(
    deployer_image: str = DEFAULT_DEPLOYER_IMAGE,
) -> dsl.graph_component.GraphComponent:
    """Builds the pipeline with a given deployer image for the deploy step.

    Args:
        deployer_image: Image of deploy_model (python3 + pinned kubectl).

    Returns:
        The pipeline (a KFP graph component).
    """
    deploy = make_deploy_model(deployer_image)

    @dsl.pipeline(
        name=PIPELINE_NAME,
        display_name=PIPELINE_DISPLAY_NAME,
        description="Trains an aspect-based sentiment model on SemEval-2014 XML, tests it "
                    "against a quality gate and deploys its model server with kubectl only "
                    "when the gate passes.",
    )
    def absa_pipeline(
        train_data_uri: str = "minio://mlpipeline/datasets/absa/train.xml",
        test_data_uri: str = "minio://mlpipeline/datasets/absa/test.xml",
        min_accuracy: float = 0.7,
        min_macro_f1: float = 0.6,
        namespace: str = "default",
        deployment_name: str = "absa-model",
        serving_image: str = DEFAULT_SERVING_IMAGE,
        replicas: int = 2,
        deploy_mode: str = "apply",
        rollout_timeout_s: int = 300,
        trainer: str = "linear",
    ) -> PipelineOutputs:
        """Builds, tests and (when the gate passes) deploys the ABSA model.

        Args:
            train_data_uri: Training data (SemEval-2014 Task 4 XML), e.g. minio://, gs://, s3://.
            test_data_uri: Test data (SemEval-2014 Task 4 XML).
            min_accuracy: Quality gate: lowest test accuracy that deploys.
            min_macro_f1: Quality gate: lowest test macro-F1 that deploys.
            namespace: Namespace of the model server.
            deployment_name: Name of the model server's Deployment and Service.
            serving_image: The model server image (pinned tag or digest).
            replicas: Model server replicas.
            deploy_mode: apply, server-dry-run or render.
            rollout_timeout_s: Seconds to wait for the rollout before rolling back.
            trainer: The trainer of build_model (linear).

        Returns:
            The gate decision, the test metrics and the model.
        """
        train_data = dsl.importer(artifact_uri=train_data_uri, artifact_class=Dataset,
                                  reimport=True).set_display_name("import train data")
        test_data = dsl.importer(artifact_uri=test_data_uri, artifact_class=Dataset,
                                 reimport=True).set_display_name("import test data")
        build = build_model(train_data=train_data.output, trainer=trainer)
        test = test_model(model=build.outputs["model"], test_data=test_data.output,
                          min_accuracy=min_accuracy, min_macro_f1=min_macro_f1)
        for task in (train_data, test_data, build, test):
            # A scheduled run must retrain on today's data, not reuse yesterday's cache.
            task.set_caching_options(False)
        with dsl.If(test.outputs["Output"] == True, name="quality-gate-passed"):  # noqa: E712
            release = deploy(
                model=build.outputs["model"],
                test_metrics=test.outputs["metrics"],
                namespace=namespace,
                deployment_name=deployment_name,
                serving_image=serving_image,
                replicas=replicas,
                deploy_mode=deploy_mode,
                rollout_timeout_s=rollout_timeout_s,
                run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
                template_path=f"{DEPLOYMENT_CONFIG_MOUNT}/deployment.yaml",
            )
            release.set_caching_options(False)
            kubernetes.use_config_map_as_volume(release, config_map_name=DEPLOYMENT_CONFIG_MAP,
                                                mount_path=DEPLOYMENT_CONFIG_MOUNT,
                                                optional=True)
            kubernetes.set_timeout(release, DEPLOY_TASK_TIMEOUT_S)
            kubernetes.add_pod_label(release, "app.kubernetes.io/part-of", "absa-pipeline")
        return PipelineOutputs(gate_passed=test.outputs["Output"], metrics=test.outputs["metrics"],
                               model=build.outputs["model"])

    return absa_pipeline


#: The pipeline with the default images: what ``compiled/absa_pipeline.yaml`` holds.
absa_pipeline = build_pipeline()
