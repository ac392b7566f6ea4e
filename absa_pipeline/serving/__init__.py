"""The ABSA model server: KServe v1 protocol over FastAPI and uvicorn.

``python -m absa_pipeline.serving --model-dir DIR --port 8080`` serves the one
``absa-linear/v1`` model document found in ``DIR`` (see
:func:`absa_pipeline.serving.loading.resolve_model_file`), with the same
prediction function test_model scored it with
(:func:`absa_pipeline.model.predict_polarities`): no train/serve skew.

This package never imports kfp: the serving image installs only the project
(without its dependencies), FastAPI and uvicorn.
"""

#: The model name of the KServe v1 routes (``/v1/models/absa``).
MODEL_NAME = "absa"

#: The log line format of the server's own messages.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
