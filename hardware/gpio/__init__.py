"""The GPIO seam: LED rings (the illuminator) and the handheld's indicators and buttons.

Everything here is built on gpiozero devices, so the same code drives a real Pi and, off the
Pi, gpiozero's own ``MockFactory`` (``hardware.gpio.pins.make_pin_factory`` picks which).
Tests press buttons with ``pin.drive_low()`` and read LEDs with ``pin.state``, as gpiozero's
own tests do.
"""
