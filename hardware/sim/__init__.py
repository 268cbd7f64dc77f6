"""The simulated restroom: a seeded scene that the simulated radio and camera render from.

- ``scene``: the plain dataclasses (poses, the inspection path, RF emitters, optical surfaces).
- ``restroom``: ``build_restroom(seed, ...)``, the default stall with one hidden camera.
- ``rf_scene`` / ``optical_scene``: what the default stall holds for each sense.
- ``radio`` / ``camera`` physics live with the simulated backends
  (``hardware.radio.simulated``, ``hardware.camera.simulated``).

Nothing is canned: the pipelines in ``rf`` and ``optics`` must find what the scene holds from
the samples and frames rendered here, and tests compare their findings with the scene's truth.
"""
