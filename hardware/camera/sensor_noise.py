"""A camera sensor's noise added to a recorded noise-free frame, as ``capture.json``'s
``sensor_noise`` asks (docs/capture-format.md).

Model ``poisson-gaussian-prnu/1``, per pixel and channel, in DN of 255 full scale:
- a fixed gain pattern per capture, 1 + ``prnu`` * N(0, 1) (photo-response non-uniformity);
- shot noise: the signal's electrons (``full_scale_electrons`` at 255 DN) are Poisson;
- read noise: N(0, ``read_noise_dn``);
- rounding to 8 bits, clipped at 0 and 255 (a saturated pixel stays saturated).
The generator is seeded from ``seed`` (the gain pattern) and ``(seed, frame index)`` (the
per-frame noise), so every read of a capture gives the same frames.
"""

from dataclasses import dataclass

import numpy as np

MODEL = "poisson-gaussian-prnu/1"


@dataclass(frozen=True)
class SensorNoise:
    full_scale_electrons: float
    read_noise_dn: float
    prnu: float
    seed: int

    @classmethod
    def from_json(cls, value) -> "SensorNoise":
        """Checked ``sensor_noise``; raises ValueError naming the bad field."""
        if not isinstance(value, dict) or value.get("model") != MODEL:
            got = value.get("model") if isinstance(value, dict) else value
            raise ValueError(f"sensor_noise model {got!r} is not {MODEL!r}")
        limits = {"full_scale_electrons": (1.0, 1e7), "read_noise_dn": (0.0, 50.0),
                  "prnu": (0.0, 0.5)}
        fields = {}
        for key, (lo, hi) in limits.items():
            v = value.get(key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
                raise ValueError(f"sensor_noise {key} must be a number within {lo:g}..{hi:g}")
            fields[key] = float(v)
        seed = value.get("seed")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError("sensor_noise seed must be a non-negative integer")
        return cls(seed=seed, **fields)

    def apply(self, clean: np.ndarray, frame_index: int) -> np.ndarray:
        """The noisy uint8 frame of the noise-free uint8 ``clean`` (HxW or HxWx3)."""
        gain = 1.0 + self.prnu * np.random.default_rng(self.seed).standard_normal(clean.shape)
        rng = np.random.default_rng([self.seed, frame_index])
        signal_dn = clean.astype(np.float64) * gain
        electrons = rng.poisson(signal_dn * self.full_scale_electrons / 255.0)
        dn = (electrons * 255.0 / self.full_scale_electrons
              + rng.normal(0.0, self.read_noise_dn, clean.shape))
        noisy = np.clip(np.rint(dn), 0, 255).astype(np.uint8)
        noisy[clean == 255] = 255  # a saturated pixel stays saturated
        return noisy
