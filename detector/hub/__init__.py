"""The city hub: enrolled devices, intake of their signed records (idempotent by record id),
and the device's side of the upload (``sync``). See docs/hub.md.

May import: ``detector.log`` and detector's errors, translations and timestamps.
"""
