"""The inspection engine: sites and their checklists, the inspection lifecycle, RF sweeps and
optical scans run on a hardware session, fusion of their findings into alerts, the verdict
rule, known fixtures, and the live events phones follow. See docs/log.md.

May import: ``detector.log`` and detector's errors, translations and timestamps; ``hardware``
(never its simulator), ``rf``, ``optics``.
"""
