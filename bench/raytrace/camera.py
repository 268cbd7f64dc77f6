"""The handheld's camera: a pinhole pose, its projection, and the handheld's walk past a place.

World coordinates are millimetres: the surface under inspection (wall or ceiling) is the plane
z = 0, the room lies at z < 0, x runs to the right and y up (POV-Ray's left-handed frame, so
the camera looking along +z needs no flip). Pixels run x right and y down, (0, 0) the centre of
the top-left pixel. A point p projects to

    x = (r.q / (d.q |R|) + 0.5) W - 0.5,   y = (0.5 - u.q / (d.q |U|)) H - 0.5,

with q = p - location, d, r, u the pose's unit vectors, |R| = 2 tan(hfov / 2), |U| = |R| H / W
(the model written into every truth.json).
"""

from dataclasses import dataclass

import numpy as np

WIDTH_PX = 640
HEIGHT_PX = 360
HFOV_DEG = 50.0  # the Pi NoIR camera module's horizontal field of view with its stock lens
FRAME_RATE_HZ = 30.0
EXPOSURE_US = 8000
RING_INNER_MM, RING_OUTER_MM = 5.5, 8.5  # the LED annulus around the camera lens
OFF_AXIS_RING_MM = 90.0  # the off-axis ring's centre, to the camera's right

MODEL = ("pinhole, world mm, wall at z=0; pixel x = (r.q/(d.q*|R|) + 0.5)*W - 0.5, "
         "y = (0.5 - u.q/(d.q*|U|))*H - 0.5 for q = point - location; |R| = 2 tan(hfov/2), "
         "|U| = |R| H/W; (0,0) = centre of the top-left pixel")


def unit(v) -> np.ndarray:
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def rotate(v, axis, angle_rad) -> np.ndarray:
    """``v`` turned by ``angle_rad`` about ``axis`` (Rodrigues)."""
    k = unit(axis)
    v = np.asarray(v, float)
    return (v * np.cos(angle_rad) + np.cross(k, v) * np.sin(angle_rad)
            + k * np.dot(k, v) * (1 - np.cos(angle_rad)))


@dataclass(frozen=True)
class Pose:
    """The camera's location and its orthonormal direction / right / up vectors."""

    location: np.ndarray
    direction: np.ndarray
    right: np.ndarray
    up: np.ndarray

    @classmethod
    def looking(cls, location, direction, roll_rad: float = 0.0) -> "Pose":
        """A pose at ``location`` looking along ``direction``, level (world y up) then rolled."""
        d = unit(direction)
        right = unit(np.cross([0.0, 1.0, 0.0], d))  # left-handed: y x d points right
        up = np.cross(d, right)
        right, up = rotate(right, d, roll_rad), rotate(up, d, roll_rad)
        return cls(np.asarray(location, float), d, right, up)

    def to_dict(self) -> dict:
        return {k: [round(float(x), 6 if k != "location" else 3) for x in getattr(self, k)]
                for k in ("location", "direction", "right", "up")}


def screen_size() -> tuple[float, float]:
    """(|R|, |U|): the screen's width and height at unit distance."""
    width = 2 * np.tan(np.radians(HFOV_DEG) / 2)
    return width, width * HEIGHT_PX / WIDTH_PX


def project(point, pose: Pose) -> tuple[float, float] | None:
    """Pixel (x, y) of a world point, or None behind the camera."""
    q = np.asarray(point, float) - pose.location
    depth = float(np.dot(pose.direction, q))
    if depth <= 1e-6:
        return None
    r_len, u_len = screen_size()
    x = (np.dot(pose.right, q) / (depth * r_len) + 0.5) * WIDTH_PX - 0.5
    y = (0.5 - np.dot(pose.up, q) / (depth * u_len)) * HEIGHT_PX - 0.5
    return float(x), float(y)


def in_frame(xy, margin_px: float = 0.0) -> bool:
    return xy is not None and (-0.5 + margin_px <= xy[0] <= WIDTH_PX - 0.5 - margin_px
                               and -0.5 + margin_px <= xy[1] <= HEIGHT_PX - 0.5 - margin_px)


def ray_through(pose: Pose, x_px: float, y_px: float) -> np.ndarray:
    """The unit direction of the ray through pixel (x, y)."""
    r_len, u_len = screen_size()
    sx = (x_px + 0.5) / WIDTH_PX - 0.5
    sy = 0.5 - (y_px + 0.5) / HEIGHT_PX
    return unit(pose.direction + sx * r_len * pose.right + sy * u_len * pose.up)


def off_axis_ring_centre(pose: Pose) -> np.ndarray:
    return pose.location + OFF_AXIS_RING_MM * pose.right


def aimed(location, target, at_px) -> Pose:
    """A level pose at ``location`` turned so that ``target`` appears at pixel ``at_px``."""
    toward = unit(np.asarray(target, float) - location)
    pose = Pose.looking(location, toward)
    ray = ray_through(pose, *at_px)
    axis = np.cross(ray, toward)
    if np.linalg.norm(axis) < 1e-12:
        return pose
    angle = float(np.arccos(np.clip(np.dot(ray, toward), -1, 1)))
    return Pose(pose.location, *(unit(rotate(v, axis, angle))
                                 for v in (pose.direction, pose.right, pose.up)))


def walk(rng, target, mid_location, slide_mm, start_px, end_px, n_frames: int,
         wobble_deg: float = 0.4, roll_deg: float = 1.5) -> list[Pose]:
    """The handheld walking past ``target``: its centre moves along ``slide_mm`` (a vector)
    through ``mid_location`` while the inspector turns it so that ``target`` moves in the image
    from pixel ``start_px`` to ``end_px`` (pixels outside the frame are allowed: the target
    then enters or leaves the view), with a hand's wobble and roll in every frame.

    The slide changes the angle at which ``target`` sees the camera: that is how scans cross a
    lens's cone edge.
    """
    poses = []
    for k in range(n_frames):
        f = k / max(n_frames - 1, 1)
        location = np.asarray(mid_location, float) + (f - 0.5) * np.asarray(slide_mm, float)
        want = np.asarray(start_px, float) * (1 - f) + np.asarray(end_px, float) * f
        pose = aimed(location, target, want)
        wobble = np.radians(rng.normal(0, wobble_deg, 2))
        roll = np.radians(rng.normal(0, roll_deg))
        d = rotate(rotate(pose.direction, pose.up, wobble[0]), pose.right, wobble[1])
        r = rotate(rotate(pose.right, pose.up, wobble[0]), pose.right, wobble[1])
        u = np.cross(d, r)
        poses.append(Pose(location, unit(d), unit(rotate(r, d, roll)), unit(rotate(u, d, roll))))
    return poses
