"""The components through ``.python_func`` on temp files (no KFP runtime)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fake_kubectl import FakeKubectl
from kfp import dsl

import components
from absa_pipeline.run_local import sample_data_path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dsl.Model:
    out = tmp_path_factory.mktemp("build")
    model = dsl.Model(name="model", uri=str(out / "model"))
    train = dsl.Dataset(name="train", uri=str(sample_data_path("sample_train.xml")))
    components.build_model.python_func(train_data=train, model=model)
    return model


def score(model: dsl.Model, tmp_path: Path, min_accuracy: float,
          min_macro_f1: float) -> tuple[bool, dsl.Metrics, dsl.ClassificationMetrics]:
    metrics = dsl.Metrics(name="metrics", uri=str(tmp_path / "metrics"))
    confusion = dsl.ClassificationMetrics(name="cm", uri=str(tmp_path / "cm"))
    test = dsl.Dataset(name="test", uri=str(sample_data_path("sample_test.xml")))
    passed = components.test_model.python_func(
        model=model, test_data=test, min_accuracy=min_accuracy, min_macro_f1=min_macro_f1,
        metrics=metrics, confusion_matrix=confusion)
    return passed, metrics, confusion


def test_build_model_writes_a_json_model_with_metadata(built: dsl.Model) -> None:
    document = json.loads(Path(built.path).read_bytes())
    assert document["format"] == "absa-linear/v1"
    assert built.metadata["classes"] == ["negative", "neutral", "positive"]
    assert built.metadata["n_train"] > 1000  # conflict terms dropped, the rest kept
    assert built.metadata["train_data_sha256"].startswith("sha256:")
    assert len(built.metadata["model_version"]) == 12


def test_build_model_is_deterministic(built: dsl.Model, tmp_path: Path) -> None:
    again = dsl.Model(name="model", uri=str(tmp_path / "model"))
    train = dsl.Dataset(name="train", uri=str(sample_data_path("sample_train.xml")))
    components.build_model.python_func(train_data=train, model=again)
    assert Path(again.path).read_bytes() == Path(built.path).read_bytes()


def test_build_model_rejects_unknown_trainer(tmp_path: Path) -> None:
    train = dsl.Dataset(name="train", uri=str(sample_data_path("sample_train.xml")))
    with pytest.raises(ValueError, match="unknown trainer 'bert'"):
        components.build_model.python_func(train_data=train, trainer="bert",
                                           model=dsl.Model(uri=str(tmp_path / "m")))


def test_gate_passes_on_the_sample(built: dsl.Model, tmp_path: Path) -> None:
    passed, metrics, confusion = score(built, tmp_path, 0.7, 0.6)
    assert passed is True
    assert metrics.metadata["accuracy"] >= 0.7
    assert metrics.metadata["macro_f1"] >= 0.6
    assert set(metrics.metadata) >= {"f1_positive", "f1_negative", "f1_neutral", "n_test"}
    rows = confusion.metadata["confusionMatrix"]["rows"]
    assert sum(sum(r["row"]) for r in rows) == metrics.metadata["n_test"]


def test_gate_fails_above_the_models_quality(built: dsl.Model, tmp_path: Path) -> None:
    passed, metrics, _ = score(built, tmp_path, 0.99, 0.0)
    assert passed is False
    assert metrics.metadata["accuracy"] < 0.99


def deploy(model: dsl.Model, tmp_path: Path, mode: str, **overrides: object) -> tuple[int, str]:
    manifests = dsl.Artifact(name="manifests", uri=str(tmp_path / "manifests.yaml"))
    summary = dsl.Markdown(name="summary", uri=str(tmp_path / "summary.md"))
    metrics = dsl.Metrics(name="metrics", metadata={"accuracy": 0.8, "macro_f1": 0.7})
    args = dict(model=model, test_metrics=metrics, namespace="serving",
                deployment_name="absa-model", serving_image="repo/absa-server:1.0",
                replicas=2, deploy_mode=mode, rollout_timeout_s=60, manifests=manifests,
                summary=summary, run_id="run-42",
                template_path=str(tmp_path / "no-configmap" / "deployment.yaml"))
    args.update(overrides)
    revision = components.deploy_model.python_func(**args)
    return revision, Path(manifests.path).read_text(encoding="utf-8")


def test_deploy_render_calls_no_kubectl(built: dsl.Model, tmp_path: Path,
                                        fake_kubectl: FakeKubectl) -> None:
    revision, text = deploy(built, tmp_path, "render")
    assert revision == 0
    assert fake_kubectl.calls == []
    deployment = next(d for d in yaml.safe_load_all(text) if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "MODEL_URI", "value": built.uri} in container["env"]
    annotations = deployment["metadata"]["annotations"]
    assert annotations["absa-pipeline/run-id"] == "run-42"
    assert annotations["absa-pipeline/accuracy"] == "0.8"
    assert deployment["metadata"]["labels"]["app.kubernetes.io/version"] == \
        built.metadata["model_version"]
    assert "render" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_deploy_apply_runs_kubectl_with_the_manifests(built: dsl.Model, tmp_path: Path,
                                                      fake_kubectl: FakeKubectl) -> None:
    fake_kubectl.on("get", stdout="1", times=1).on("get", stdout="2")
    revision, text = deploy(built, tmp_path, "apply")
    assert revision == 2
    assert fake_kubectl.verbs == ["get", "apply", "rollout status", "get"]
    assert fake_kubectl.calls[1]["stdin"] == text
    assert "revision | 2" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_deploy_uses_the_configmap_template_when_mounted(built: dsl.Model, tmp_path: Path,
                                                         fake_kubectl: FakeKubectl) -> None:
    template = tmp_path / "app" / "deployment.yaml"
    template.parent.mkdir()
    template.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: seed}\nspec:\n"
        "  selector: {matchLabels: {app: seed}}\n  template:\n    metadata: {labels: {app: seed}}\n"
        "    spec:\n      containers: [{name: server, image: 'placeholder:1'}]\n",
        encoding="utf-8")
    _, text = deploy(built, tmp_path, "render", template_path=str(template))
    (deployment,) = list(yaml.safe_load_all(text))
    assert deployment["metadata"]["name"] == "absa-model"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == \
        "repo/absa-server:1.0"
    assert "ConfigMap template" in (tmp_path / "summary.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("hostile", ["x; touch /tmp/p", "$(id)", "`id`", "a\nb", "A" * 70])
def test_deploy_rejects_hostile_names_before_any_kubectl_call(
        built: dsl.Model, tmp_path: Path, fake_kubectl: FakeKubectl, hostile: str) -> None:
    with pytest.raises(ValueError, match="deployment_name"):
        deploy(built, tmp_path, "apply", deployment_name=hostile)
    assert fake_kubectl.calls == []


def test_components_are_importable_as_the_notebook_does() -> None:
    from components import build_model, deploy_model, test_model

    names = [c.component_spec.name for c in (build_model, test_model, deploy_model)]
    assert names == ["build-model", "test-model", "deploy-model"]
    assert "Trains a 3-class" in (build_model.component_spec.description or "")
