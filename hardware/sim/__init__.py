"""The simulated restroom: a seeded scene that the simulated radio and camera render from.

- ``scene``: the plain dataclasses (poses, the inspection path, RF emitters, optical surfaces).
- ``restroom``: ``build_restroom(seed, ...)``, the default stall with one hidden camera.
- ``rf_scene`` / ``optical_scene``: what the default stall holds for each sense.
- ``wifi_world``: the Wi-Fi world (hidden camera, building AP, phones, laptop, plug, a camera
  in another room) and ``simulate_wifi_scene``; ``wifi_devices`` (what each sends),
  ``wifi_radio`` (path loss, rates, retries, airtime), ``wifi_frames`` (radiotap + 802.11
  bytes), ``wifi_traces`` (frame sizes from cached libx264 traces) and ``wifi_encoder`` (the
  recipe that made that cache). See docs/wifi-simulation.md.
- ``radio`` / ``camera`` physics live with the simulated backends
  (``hardware.radio.simulated``, ``hardware.camera.simulated``).

Nothing is canned: the pipelines in ``rf`` and ``optics`` must find what the scene holds from
the samples and frames rendered here, and tests compare their findings with the scene's truth.
"""
