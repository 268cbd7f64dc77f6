"""Plain data for a simulated restroom: geometry, the handheld's path, emitters, surfaces.

World coordinates are metres: x to the right along the stall's back wall, y up from the floor,
z out of the back wall into the stall. Every direction is a unit vector.
"""

from dataclasses import dataclass, field

import numpy as np


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v)
    if n == 0:
        raise ValueError("a direction must not be the zero vector")
    return v / n


@dataclass(frozen=True)
class Pose:
    """Where the handheld is and where its camera looks (``forward``), with its ``up``."""

    position_m: np.ndarray
    forward: np.ndarray
    up: np.ndarray

    @property
    def right(self) -> np.ndarray:
        return np.cross(self.forward, self.up)

    @classmethod
    def looking_at(cls, position_m, target_m, roll_deg: float = 0.0) -> "Pose":
        """A pose at ``position_m`` aimed at ``target_m``, level unless rolled."""
        position_m = np.asarray(position_m, dtype=float)
        forward = _unit(np.asarray(target_m, dtype=float) - position_m)
        world_up = np.array([0.0, 1.0, 0.0])
        if abs(forward @ world_up) > 0.99:  # looking straight up or down
            world_up = np.array([0.0, 0.0, 1.0])
        right = _unit(np.cross(forward, world_up))
        up = np.cross(right, forward)
        roll = np.radians(roll_deg)
        up = np.cos(roll) * up - np.sin(roll) * right
        return cls(position_m, forward, _unit(up))

    def distance_m(self, point_m) -> float:
        return float(np.linalg.norm(np.asarray(point_m, dtype=float) - self.position_m))


@dataclass(frozen=True)
class Waypoint:
    """The handheld's pose at time ``t_s`` while the inspector covers ``zone``."""

    t_s: float
    pose: Pose
    zone: str


@dataclass(frozen=True)
class RfEmitter:
    """A radio transmitter in or near the restroom.

    ``eirp_dbm`` is the radiated power; the received power follows free-space loss from
    ``position_m`` to the handheld (plus ``wall_loss_db`` for signals from outside the stall).
    ``modulation`` names the waveform the simulated radio synthesises, e.g. ``"video_fm"``,
    ``"video_am"``, ``"fm_broadcast"``, ``"ofdm"``, ``"carrier"``, ``"burst"``.
    """

    name: str
    freq_hz: float
    eirp_dbm: float
    position_m: np.ndarray
    modulation: str
    bandwidth_hz: float
    video_standard: str | None = None  # "PAL" / "NTSC" for video modulations
    duty_cycle: float = 1.0
    wall_loss_db: float = 0.0
    is_hidden_camera: bool = False


@dataclass(frozen=True)
class OpticalSurface:
    """A surface the camera sees: a spy lens, or one of the things that are shiny like one.

    ``kind`` is one of ``lens``, ``chrome``, ``tile``, ``droplet``, ``screw``, ``mirror``,
    ``indicator_led``, ``ir_led``. ``radius_m`` is the visible size (for a lens, its aperture
    radius); ``normal`` is the outward axis (for a lens, its optical axis).
    """

    kind: str
    position_m: np.ndarray
    normal: np.ndarray
    radius_m: float
    zone: str
    cone_half_angle_deg: float = 20.0  # lenses: retro-reflection only inside this cone
    reflectance: float = 1.0
    emission: float = 0.0  # self-luminous surfaces (LEDs), 0..1 of full scale
    flicker_hz: float = 0.0
    is_hidden_camera: bool = False
    housing: str = "hole"  # lenses: "hole" (behind a hole in the wall) or "object" (in a fixture)


@dataclass(frozen=True)
class StallGeometry:
    """A box-shaped stall: the back wall at z=0, the door at z=depth_m."""

    width_m: float = 0.9
    depth_m: float = 1.5
    height_m: float = 2.4


@dataclass
class Scene:
    """Everything the simulated backends render from, with the truth the tests check against."""

    seed: int
    geometry: StallGeometry
    path: list[Waypoint]
    emitters: list[RfEmitter] = field(default_factory=list)
    surfaces: list[OpticalSurface] = field(default_factory=list)
    ambient_light: float = 0.15  # wall brightness under room light, 0..1 of full scale
    mains_flicker_hz: float = 100.0  # 100 Hz in Korea/EU (50 Hz mains), 120 Hz in the US

    @property
    def duration_s(self) -> float:
        return self.path[-1].t_s if self.path else 0.0

    @property
    def zones(self) -> list[str]:
        return list(dict.fromkeys(w.zone for w in self.path))

    def pose_at(self, t_s: float) -> Pose:
        """The handheld's pose at ``t_s``, interpolated along the path (held at its ends)."""
        times = [w.t_s for w in self.path]
        i = int(np.searchsorted(times, t_s, side="right"))
        if i <= 0:
            return self.path[0].pose
        if i >= len(self.path):
            return self.path[-1].pose
        a, b = self.path[i - 1], self.path[i]
        f = (t_s - a.t_s) / (b.t_s - a.t_s) if b.t_s > a.t_s else 1.0
        position = (1 - f) * a.pose.position_m + f * b.pose.position_m
        forward = _unit((1 - f) * a.pose.forward + f * b.pose.forward)
        up = (1 - f) * a.pose.up + f * b.pose.up
        up = _unit(up - (up @ forward) * forward)
        return Pose(position, forward, up)

    def zone_window_s(self, zone: str) -> tuple[float, float]:
        """The time span the path spends on ``zone``."""
        times = [w.t_s for w in self.path if w.zone == zone]
        if not times:
            raise KeyError(f"the path does not visit zone {zone!r}")
        return min(times), max(times)

    def hidden_camera_emitters(self) -> list[RfEmitter]:
        return [e for e in self.emitters if e.is_hidden_camera]

    def hidden_camera_lenses(self) -> list[OpticalSurface]:
        return [s for s in self.surfaces if s.is_hidden_camera]
