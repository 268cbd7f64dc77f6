"""Pure radio DSP: hop plans, power spectra, noise floors, emitters, classification (analog
video by its line rate), site baselines, proximity, and the SigMF and rtl_power file formats.

Takes numpy arrays, returns plain dataclasses. Imports numpy and scipy only: never
``hardware``, ``detector`` or ``web``, and no I/O to devices or global state, so every function
here can be benchmarked and tested on its own.
"""
