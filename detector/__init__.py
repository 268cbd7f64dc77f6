"""What the handheld does with what it measures: inspections, the signed log, the hub, and the
appliance itself, in four parts that data flows through one way:

- ``detector.log``: the signed, hash-chained log (storage, records, signing, verification,
  evidence, queries). Imports nothing else of detector's but its errors, translations and
  timestamps.
- ``detector.engine``: the inspection engine (sites, inspections, checklists, RF sweeps and
  optical scans run on a hardware session, fusion into alerts, known fixtures, live events).
  Keeps its records in the log.
- ``detector.hub``: the city hub's side (enrolled devices, intake of signed records) and the
  device's upload to it. Keeps records in the log; knows nothing of the engine.
- ``detector.appliance``: the device (its profile, choosing real or simulated hardware,
  ``ansim doctor``, the hotspot, the buttons and the step runner that drives the engine).

``detector.errors`` (one error hierarchy), ``detector.i18n`` (the one translation layer) and
``detector.timestamps`` (the one time format) serve all four. ``detector`` wires ``hardware``
sources to the pure ``rf`` and ``optics`` pipelines; it never imports ``web``, ``bench`` or the
command line (``ansim``), which sit above it. The layers are declared in pyproject.toml.
"""
