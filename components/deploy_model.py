"""The ``deploy_model`` component: kubectl apply, prove the rollout, roll back on failure."""

from kfp import dsl
from kfp.dsl import Input, Markdown, Metrics, Model, Output
from kfp.dsl.python_component import PythonComponent

from absa_pipeline.deploy import apply_and_verify, run_kubectl
from absa_pipeline.images import DEFAULT_DEPLOYER_IMAGE, DEPLOY_PACKAGES
from absa_pipeline.manifests import (
    check_dns1123_label,
    check_image_reference,
    manifests_to_yaml,
    render_manifests,
    stamp_manifests,
    storage_uri,
    validate_deploy_params,
)


def deploy_model(  # the plain function; the component of the same name is below
    model: Input[Model],
    test_metrics: Input[Metrics],
    namespace: str,
    deployment_name: str,
    serving_image: str,
    replicas: int,
    deploy_mode: str,
    rollout_timeout_s: int,
    manifests: Output[dsl.Artifact],
    summary: Output[Markdown],
    run_id: str = "",
    template_path: str = "/app/deployment.yaml",
) -> int:
    """Deploys the model server for a model that passed the quality gate.

    Validates the parameters, builds the Deployment and Service (the built-in
    template, or ``template_path`` from the ``deployment-config`` ConfigMap
    when it is mounted), stamps them with the image, ``MODEL_URI``, the model
    version and the run's metrics, then in ``apply`` mode runs
    ``kubectl apply --server-side``, waits for ``kubectl rollout status`` and
    rolls back with ``kubectl rollout undo`` when the rollout fails.

    Args:
        model: The model that passed test_model.
        test_metrics: Its test metrics (accuracy and macro_f1 become annotations).
        namespace: Target namespace.
        deployment_name: Name of the Deployment and Service.
        serving_image: The model server image (tag or digest; not ``:latest``).
        replicas: Pod replicas.
        deploy_mode: ``apply``, ``server-dry-run`` or ``render`` (no kubectl).
        rollout_timeout_s: Seconds to wait for the rollout.
        manifests: The manifests as applied (YAML).
        summary: What was deployed and how it went (Markdown, shown in the KFP UI).
        run_id: The pipeline run id, stamped as an annotation.
        template_path: Manifest template from the ConfigMap; the built-in one
            is used when the file is absent.

    Returns:
        The Deployment's revision after the rollout (0 when not applied).
    """
    import hashlib
    import os

    import yaml

    validate_deploy_params(namespace, deployment_name, serving_image, replicas,
                           rollout_timeout_s, deploy_mode)
    version = str(model.metadata.get("model_version") or "")
    if not version:
        with open(model.path, "rb") as handle:
            version = hashlib.sha256(handle.read()).hexdigest()[:12]
    if os.path.isfile(template_path):
        with open(template_path, encoding="utf-8") as handle:
            docs = [d for d in yaml.safe_load_all(handle) if d]
        source = f"ConfigMap template {template_path}"
    else:
        docs = render_manifests(deployment_name, namespace, serving_image, replicas)
        source = "built-in template"
    annotations = {"absa-pipeline/run-id": run_id or "local",
                   "absa-pipeline/model-uri": model.uri,
                   "absa-pipeline/accuracy": str(test_metrics.metadata.get("accuracy", "")),
                   "absa-pipeline/macro-f1": str(test_metrics.metadata.get("macro_f1", ""))}
    stamped = stamp_manifests(docs, deployment_name, namespace, serving_image, replicas,
                              model.uri, version, annotations)
    text = manifests_to_yaml(stamped)
    with open(manifests.path, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"manifests from the {source}:\n{text}")
    result = apply_and_verify(text, namespace, deployment_name, deploy_mode, rollout_timeout_s)
    with open(summary.path, "w", encoding="utf-8") as handle:
        handle.write(
            f"## Deploy of `{namespace}/{deployment_name}`\n\n"
            f"| | |\n|---|---|\n| mode | `{deploy_mode}` |\n| image | `{serving_image}` |\n"
            f"| model URI | `{model.uri}` |\n| model version | `{version}` |\n"
            f"| revision | {result['revision']} |\n| result | {result['result']} |\n"
            f"| template | {source} |\n")
    print(f"deploy ({deploy_mode}): {result['result']}")
    return int(result["revision"])


_DEPLOY_MODEL_FUNC = deploy_model


def make_deploy_model(image: str = DEFAULT_DEPLOYER_IMAGE) -> PythonComponent:
    """Builds the deploy_model component for a deployer image.

    Args:
        image: An image with python3, pip and kubectl (images/deployer/Dockerfile).

    Returns:
        The lightweight component.
    """
    return dsl.component(
        _DEPLOY_MODEL_FUNC,
        base_image=image,
        packages_to_install=DEPLOY_PACKAGES,
        additional_funcs=[check_dns1123_label, check_image_reference, validate_deploy_params,
                          render_manifests, storage_uri, stamp_manifests, manifests_to_yaml,
                          run_kubectl, apply_and_verify],
    )


#: The component with the default deployer image (it takes the plain function's name, which
#: KFP uses as the component name).
deploy_model = make_deploy_model()
