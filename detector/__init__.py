"""The inspection engine: sites, inspections, checklists, fusion of RF and optical findings into
alerts, storage, evidence, signing, sync, the device profile, the translation layer and the
``ansim`` command line.

``detector`` wires ``hardware`` sources to the pure ``rf`` and ``optics`` pipelines. It may import
``hardware``, ``rf`` and ``optics``; it must never import ``web`` (the dashboard talks to it, not
the other way round).
"""
