"""The device itself: its profile, choosing real or simulated hardware for each part, ``ansim
doctor`` and the Pi's own checks, the hotspot, the step runner that runs one step at a time on
the engine, and the handheld's buttons. See docs/device.md and docs/hardware-seams.md.

May import: ``detector.engine``, ``detector.log`` and detector's errors, translations and
timestamps; ``hardware`` (the simulated restroom included: this is where it is opened).
"""
