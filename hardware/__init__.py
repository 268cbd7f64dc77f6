"""Every touch of hardware: the radio, the camera, the LED rings and the handheld's indicators.

Owns: one small interface per hardware family (``hardware.radio.SampleSource``,
``hardware.camera.Camera``, ``hardware.gpio``), each with a real backend, a replay backend
(recorded files) and a simulated backend that renders from ``hardware.sim`` (the simulated
restroom).

This is the only package that imports pyrtlsdr, picamera2 or gpiozero. It must not import
``rf``, ``optics``, ``detector`` or ``web``: data flows from here downwards only.
"""
