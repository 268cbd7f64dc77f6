"""The simulated camera: renders the simulated stall from the handheld's pose, lit by the rings.

What a frame holds (the model and its constants are in docs/optics.md and
``hardware.sim.optical_physics``):
- the surface the handheld faces, as a textured plane (tiles and grout, or a plain wall), lit
  by room light that flickers at the mains' 100/120 Hz and by the rings' own diffuse light;
- each surface in view as a small sprite: a pinhole lens's cat's-eye glint (only inside its
  ~20 degree cone, only toward the ring around our lens), the rings' highlights on chrome,
  screws and droplets (both rings, sliding as the pose changes), the rings' mirror images in
  glossy tiles and mirrors, the lamp's highlight, and LEDs that glow whatever the rings do;
- the sensor: exposure time, motion blur over the exposure, a rolling shutter (each row sees
  the pose at its own time), shot noise, read noise and pixel response non-uniformity,
  quantised to 8 bits (so bright glints saturate).

Only what is in view is drawn, as small patches: a 1280x720 frame takes a few milliseconds.

Example::

    clock = SimulatedClock()
    handheld = SimulatedHandheld(build_restroom(seed=1), clock)
    handheld.move_to("door_hook")
    rings = Illuminator(17, 27, pin_factory=make_pin_factory(True), clock=clock)
    frame = SimulatedCamera(handheld, rings).read_frame()
"""

from dataclasses import dataclass, field

import cv2
import numpy as np

from hardware.camera import Camera, Frame
from hardware.camera import sprites
from hardware.sim import optical_physics as physics

HFOV_DEG = 62.2  # Raspberry Pi camera module v2 NoIR
READOUT_S = 0.018  # rolling shutter: top row to bottom row
FULL_WELL_E = 6000.0  # electrons at 255 DN
READ_NOISE_DN = 1.4
PRNU = 0.006
PSF_SIGMA_PX = 0.6



@dataclass(frozen=True)
class SimulatedFrame(Frame):
    """A frame of the simulated restroom, with the handheld's pose at mid-exposure: the truth
    tests and benchmarks compare findings with. Pipelines and the engine never read it (a test
    in tests/test_layers.py guards that)."""

    pose: object | None = field(default=None, compare=False)

class SimulatedCamera(Camera):
    """Frames of the simulated stall, on the session's ``SimulatedClock``."""

    def __init__(self, handheld, illuminator, *, width=1280, height=720, fps=30.0,
                 exposure_us=8000.0, seed=0):
        self.handheld = handheld
        self.illuminator = illuminator
        self.width, self.height = width, height
        self.fps = fps
        self.exposure_us = float(exposure_us)
        self.focal_px = (width / 2) / np.tan(np.radians(HFOV_DEG / 2))
        self._rng = np.random.default_rng(seed)
        self._prnu = (1.0 + PRNU * self._rng.standard_normal((height, width), np.float32))
        self._seed = seed
        self._noise = np.empty((height, width), np.float32)
        self._walls = sprites.WallTextures(seed)
        self._index = 0

    def set_exposure_us(self, exposure_us: float) -> None:
        if exposure_us <= 0:
            raise ValueError(f"exposure must be positive, not {exposure_us} us")
        self.exposure_us = float(exposure_us)

    def read_frame(self) -> Frame:
        clock = self.handheld.clock
        start_s = clock.now_s()
        exposure_s = self.exposure_us / 1e6
        on_axis, off_axis = self.illuminator.lit_fractions(start_s, start_s + exposure_s
                                                           + READOUT_S)
        mid_s = start_s + exposure_s / 2
        image = self._render(mid_s, exposure_s, on_axis, off_axis)
        frame = SimulatedFrame(self._index, image, start_s, self.exposure_us, on_axis, off_axis,
                               pose=self.handheld.pose_at(mid_s + READOUT_S / 2))
        self._index += 1
        clock.advance(1.0 / self.fps)
        return frame

    # --- rendering -------------------------------------------------------------------------

    def _projector(self, row_s_top: float):
        """A function projecting world points with the pose of the row they land on."""
        return sprites.RollingProjector(self.handheld.pose_at, row_s_top, READOUT_S,
                                        self.focal_px, self.width, self.height)

    def _render(self, mid_s, exposure_s, on_axis, off_axis) -> np.ndarray:
        scene = self.handheld.scene
        gain = exposure_s / 0.008  # constants are for an 8 ms exposure
        project = self._projector(mid_s)
        pose = project.pose_mid
        ambient = physics.AMBIENT_DN * scene.ambient_light / 0.15 * physics.flicker_level(
            mid_s - exposure_s / 2, exposure_s, scene.mains_flicker_hz)
        plane = sprites.facing_plane(scene.surfaces, self.handheld.zone, pose)
        distance_m = max(abs(float((pose.position_m - plane.point_m) @ plane.normal)), 0.1)
        rings_dn = physics.RING_DIFFUSE_DN_AT_1M * (on_axis + off_axis) / distance_m**2
        blur_px = project.motion_px(plane.point_m, exposure_s)
        image = self._walls.render(plane, project, gain * (ambient + rings_dn), blur_px)
        lighting = sprites.Lighting(gain, on_axis, off_axis, ambient / physics.AMBIENT_DN,
                                    mid_s, exposure_s, scene.mains_flicker_hz)
        for surface in scene.surfaces:
            sprites.draw_surface(image, surface, project, lighting, plane)
        return self._sensor(image)

    def _sensor(self, image: np.ndarray) -> np.ndarray:
        image *= self._prnu
        np.maximum(image, 0.0, out=image)
        # Fresh noise every frame (OpenCV's generator, seeded per frame: fast and reproducible).
        cv2.setRNGSeed(self._seed * 100_003 + self._index)
        noise = cv2.randn(self._noise, 0.0, 1.0)
        shot_sigma = np.sqrt(image * (255.0 / FULL_WELL_E) + READ_NOISE_DN**2)
        image += shot_sigma * noise
        np.clip(image, 0.0, 255.0, out=image)
        return (image + 0.5).astype(np.uint8)
