"""Pure image processing for finding camera lenses: frame registration, lock-in maps under
coded LED illumination, glint candidates, tracks, scoring, the IR-emitter check, annotated
crops. ``optics.pipeline`` composes them (live: ``GlintPipeline``; batch: ``analyze_frames``).
Each scan's place keyframe (``optics.keyframe``) and what changed at a place since the last
signed-off inspection (``optics.change``) live here too.

Takes numpy arrays, returns plain dataclasses. Imports numpy and OpenCV only: never
``hardware``, ``detector`` or ``web``.
"""
