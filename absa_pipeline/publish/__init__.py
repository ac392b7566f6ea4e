"""Publishing to Kubeflow Pipelines: upload the package, keep one recurring run.

Pure modules: :mod:`.package` (read and check a compiled package),
:mod:`.desired` (the recurring run we want, and how live ones compare),
:mod:`.plan` (what to change). I/O: :mod:`.kfp_api` (the KFP adapter),
:mod:`.reconcile` (runs a plan through the adapter, fault-safe), :mod:`.cli`
(the ``upload-and-schedule`` command).
"""
