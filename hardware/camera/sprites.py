"""Drawing for the simulated camera: the projection (with its rolling shutter), the textured
wall, and one small sprite per surface. The physics of each surface is in
``hardware.sim.optical_physics``; this module only puts it on pixels."""

from dataclasses import dataclass

import cv2
import numpy as np

from hardware.sim import optical_physics as physics

PSF_SIGMA_PX = 0.6
TEXEL_M = 0.001
WALL_HALF_M = 0.8


class RollingProjector:
    """Projects world points as a rolling-shutter camera sees them: a point is drawn with the
    pose of the moment its row was exposed (``top_s`` for row 0, ``top_s + readout_s`` for the
    last row)."""

    def __init__(self, pose_at, top_s, readout_s, focal_px, width, height):
        self.pose_at, self.top_s, self.readout_s = pose_at, top_s, readout_s
        self.focal_px, self.width, self.height = focal_px, width, height
        self.pose_mid = pose_at(top_s + readout_s / 2)

    def with_pose(self, pose, point_m):
        q = np.asarray(point_m) - pose.position_m
        depth = float(q @ pose.forward)
        if depth <= 0.01:
            return None
        x = self.focal_px * float(q @ _right(pose)) / depth + self.width / 2 - 0.5
        y = -self.focal_px * float(q @ pose.up) / depth + self.height / 2 - 0.5
        return x, y, depth

    def __call__(self, point_m):
        """(x, y, depth) of ``point_m``, or None behind the camera."""
        first = self.with_pose(self.pose_mid, point_m)
        if first is None:
            return None
        row_s = self.top_s + self.readout_s * np.clip(first[1] / self.height, 0.0, 1.0)
        return self.with_pose(self.pose_at(row_s), point_m)

    def motion_px(self, point_m, exposure_s) -> np.ndarray:
        """How far ``point_m`` moves on the image during one exposure (px)."""
        a = self.with_pose(self.pose_at(self.top_s - exposure_s / 2), point_m)
        b = self.with_pose(self.pose_at(self.top_s + exposure_s / 2), point_m)
        if a is None or b is None:
            return np.zeros(2)
        return np.array([b[0] - a[0], b[1] - a[1]])

    def homography(self, pose, origin_m, axis_u, axis_v) -> np.ndarray:
        """3x3 map from plane coordinates (u, v, 1) in texels to pixels."""
        camera = np.array([[self.focal_px, 0, self.width / 2 - 0.5],
                           [0, -self.focal_px, self.height / 2 - 0.5], [0, 0, 1]])
        rotation = np.vstack([_right(pose), pose.up, pose.forward])
        plane = np.column_stack([axis_u * TEXEL_M, axis_v * TEXEL_M, origin_m - pose.position_m])
        return camera @ rotation @ plane


def _right(pose) -> np.ndarray:
    """``pose.right`` without numpy's general cross product (called per sprite per frame)."""
    f, u = pose.forward, pose.up
    return np.array([f[1] * u[2] - f[2] * u[1], f[2] * u[0] - f[0] * u[2],
                     f[0] * u[1] - f[1] * u[0]])


@dataclass(frozen=True)
class Plane:
    point_m: np.ndarray
    normal: np.ndarray
    tiled: bool


def facing_plane(surfaces, zone: str, pose) -> Plane:
    """The wall the handheld faces: the plane of the zone's surfaces (tiled if a tile is among
    them), else a plain wall 1 m ahead."""
    here = [s for s in surfaces if s.zone == zone]
    if not here:
        return Plane(pose.position_m + pose.forward, -pose.forward, False)
    normal = np.mean([s.normal for s in here if s.kind != "lens"] or [here[0].normal], axis=0)
    normal /= np.linalg.norm(normal)
    on_wall = [s for s in here if s.kind == "lens" and s.housing == "hole"] or here
    anchor = on_wall[0]
    return Plane(anchor.position_m.copy(), normal, any(s.kind in ("tile", "mirror")
                                                       for s in here))


class WallTextures:
    """Albedo textures (plain paint, or glazed tiles with grout), seeded, drawn by homography."""

    def __init__(self, seed: int):
        rng = np.random.default_rng(seed + 7)
        size = int(2 * WALL_HALF_M / TEXEL_M) + 1
        mottle = cv2.GaussianBlur(rng.standard_normal((size // 8, size // 8)).astype(np.float32),
                                  (0, 0), 2.0)
        mottle = cv2.resize(mottle, (size, size), interpolation=cv2.INTER_CUBIC)
        plain = 0.75 + 0.2 * mottle / (np.abs(mottle).max() + 1e-6)
        # Scuffs, specks and dirt: the texture a real wall gives registration to hold on to.
        for _ in range(900):
            cx, cy = rng.integers(0, size, 2)
            cv2.circle(plain, (int(cx), int(cy)), int(rng.integers(2, 7)),
                       float(rng.uniform(0.4, 0.7)), -1)
        plain = cv2.GaussianBlur(plain, (0, 0), 1.0)
        tiled = plain.copy()
        pitch = int(0.1 / TEXEL_M)
        for k in range(0, size, pitch):
            tiled[:, k:k + 3] *= 0.45
            tiled[k:k + 3, :] *= 0.45
        # Stored as 8-bit (albedo x 255): warping 8-bit pixels is several times faster.
        self.textures = {False: np.clip(plain * 255, 0, 255).astype(np.uint8),
                         True: np.clip(tiled * 255, 0, 255).astype(np.uint8)}

    def render(self, plane: Plane, project: RollingProjector, light_dn, blur_px) -> np.ndarray:
        axis_u = np.cross(plane.normal, [0.0, 1.0, 0.0])
        if np.linalg.norm(axis_u) < 1e-6:
            axis_u = np.array([1.0, 0.0, 0.0])
        axis_u /= np.linalg.norm(axis_u)
        axis_v = np.cross(axis_u, plane.normal)
        half = WALL_HALF_M / TEXEL_M
        origin = plane.point_m - half * TEXEL_M * (axis_u + axis_v)
        top = project.homography(project.pose_at(project.top_s), origin, axis_u, axis_v)
        bottom = project.homography(project.pose_at(project.top_s + project.readout_s),
                                    origin, axis_u, axis_v)
        homography = _rolling(top, bottom, project.height)
        texture = self.textures[plane.tiled]
        albedo = cv2.warpPerspective(texture, homography, (project.width, project.height),
                                     flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                     borderValue=204)
        kx, ky = int(abs(blur_px[0])) + 1, int(abs(blur_px[1])) + 1
        if kx > 1 or ky > 1:
            albedo = cv2.blur(albedo, (kx, ky))
        return albedo.astype(np.float32) * np.float32(light_dn / 255.0)


def _rolling(top: np.ndarray, bottom: np.ndarray, height: int) -> np.ndarray:
    """One homography for the whole frame, sheared so each row moves as the pose did by the
    time that row was read (exact at the frame's centre, linear in the row)."""
    centre = np.array([WALL_HALF_M / TEXEL_M] * 2 + [1.0])
    a, b = top @ centre, bottom @ centre
    shift = b[:2] / b[2] - a[:2] / a[2]
    shear = np.array([[1.0, shift[0] / height, -shift[0] / 2],
                      [0.0, 1.0 + shift[1] / height, -shift[1] / 2], [0.0, 0.0, 1.0]])
    middle = (top / top[2, 2] + bottom / bottom[2, 2]) / 2
    return shear @ middle


@dataclass(frozen=True)
class Lighting:
    gain: float  # exposure / 8 ms
    on_axis: float
    off_axis: float
    lamp: float  # room light level, flicker included (1 = nominal)
    mid_s: float
    exposure_s: float
    mains_flicker_hz: float


def draw_surface(image, surface, project: RollingProjector, light: Lighting, plane) -> None:
    """Add one surface's sprite to ``image`` if it is in view."""
    where = project(surface.position_m)
    if where is None:
        return
    x, y, depth = where
    margin = 40
    if not (-margin < x < project.width + margin and -margin < y < project.height + margin):
        return
    pose = project.pose_mid
    size_px = project.focal_px * surface.radius_m / depth
    blur = project.motion_px(surface.position_m, light.exposure_s)
    kind = surface.kind
    if kind == "lens":
        _draw_lens(image, surface, pose, x, y, size_px, blur, light)
    elif kind in ("chrome", "screw", "droplet"):
        _draw_sphere(image, surface, project, pose, x, y, size_px, blur, light)
    elif kind in ("tile", "mirror"):
        _draw_mirror_rings(image, surface, project, pose, light)
    elif kind in ("indicator_led", "ir_led"):
        # LEDs outshine any diffuse surface many times over (an 850 nm LED blinds a NoIR camera).
        flux = surface.emission * physics.LED_FLUX_DN_PX * light.gain
        add_gaussian(image, x, y, flux, max(PSF_SIGMA_PX, size_px / 2), blur)


def _draw_lens(image, surface, pose, x, y, size_px, blur, light):
    # The hole (or the object's black bezel) the lens looks through: dark whatever the light.
    if surface.housing == "object":  # the fixture's black face around the lens
        darken_disc(image, x, y, max(6.0 * size_px, 2.0), 0.8)
    darken_disc(image, x, y, max(1.5 * size_px, 0.7), 0.85)
    rings = physics.ring_positions(pose)
    flux = (physics.retro_flux(surface, pose.position_m, rings["on_axis"]) * light.on_axis
            + physics.retro_flux(surface, pose.position_m, rings["off_axis"]) * light.off_axis)
    add_gaussian(image, x, y, flux * light.gain, PSF_SIGMA_PX, blur)


def _draw_sphere(image, surface, project, pose, x, y, size_px, blur, light):
    if surface.emission > 0:  # a lamp behind a chrome bezel: glows, flickering with the mains
        glow = surface.emission * 255.0 * light.gain * physics.flicker_level(
            light.mid_s - light.exposure_s / 2, light.exposure_s, surface.flicker_hz)
        brighten_disc(image, x, y, size_px, glow)
        return
    darken_disc(image, x, y, size_px, 0.5 if surface.kind == "chrome" else 0.25)
    rings = physics.ring_positions(pose)
    for ring, lit in (("on_axis", light.on_axis), ("off_axis", light.off_axis)):
        if lit <= 0:
            continue
        point, flux = physics.sphere_highlight(surface.position_m, surface.radius_m,
                                               pose.position_m, rings[ring])
        where = project(point)
        if where is not None:
            add_gaussian(image, where[0], where[1], flux * lit * surface.reflectance
                         * light.gain, PSF_SIGMA_PX, blur)
    point, flux = physics.lamp_highlight(surface.position_m, surface.radius_m, pose.position_m)
    where = project(point)
    if where is not None:
        add_gaussian(image, where[0], where[1], flux * light.lamp * surface.reflectance
                     * light.gain, PSF_SIGMA_PX, blur)


def _draw_mirror_rings(image, surface, project, pose, light):
    """A flat glossy surface shows each lit ring's mirror image where the geometry puts it."""
    rings = physics.ring_positions(pose)
    for ring, lit in (("on_axis", light.on_axis), ("off_axis", light.off_axis)):
        if lit <= 0:
            continue
        image_m = physics.mirror_image(rings[ring], surface.position_m, surface.normal)
        ray = image_m - pose.position_m
        denominator = float(ray @ surface.normal)
        if abs(denominator) < 1e-9:
            continue
        hit = pose.position_m + ray * float((surface.position_m - pose.position_m)
                                            @ surface.normal) / denominator
        if np.linalg.norm(hit - surface.position_m) > surface.radius_m:
            continue
        where = project(image_m)
        if where is None:
            continue
        x, y, depth = where
        inner = project.focal_px * physics.RING_INNER_M / depth
        outer = project.focal_px * physics.RING_OUTER_M / depth
        add_annulus(image, x, y, inner, outer,
                    physics.RING_MIRROR_DN * surface.reflectance * lit * light.gain)


# --- primitives --------------------------------------------------------------------------

def _patch(image, x, y, reach):
    height, width = image.shape
    x0, x1 = max(int(np.floor(x - reach)), 0), min(int(np.ceil(x + reach)) + 1, width)
    y0, y1 = max(int(np.floor(y - reach)), 0), min(int(np.ceil(y + reach)) + 1, height)
    if x0 >= x1 or y0 >= y1:
        return None
    gy, gx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    return (slice(y0, y1), slice(x0, x1)), gx - x, gy - y


def add_gaussian(image, x, y, flux, sigma, blur=(0.0, 0.0)):
    """Add ``flux`` (DN px) as a Gaussian spot smeared along ``blur`` (motion over the exposure)."""
    if flux <= 0:
        return
    steps = max(1, int(np.ceil(np.hypot(*blur))))
    reach = 4 * sigma + np.hypot(*blur) / 2 + 1
    patch = _patch(image, x, y, reach)
    if patch is None:
        return
    where, dx, dy = patch
    spot = np.zeros_like(dx)
    for k in range(steps):
        f = (k + 0.5) / steps - 0.5
        spot += np.exp(-((dx - f * blur[0]) ** 2 + (dy - f * blur[1]) ** 2) / (2 * sigma**2))
    image[where] += spot * (flux / (steps * 2 * np.pi * sigma**2))


def _disc(x, y, radius, image):
    patch = _patch(image, x, y, radius + 2)
    if patch is None:
        return None, None
    where, dx, dy = patch
    return where, np.clip(radius + 0.5 - np.hypot(dx, dy), 0.0, 1.0)


def darken_disc(image, x, y, radius, depth):
    where, cover = _disc(x, y, radius, image)
    if where is not None:
        image[where] *= 1.0 - depth * cover


def brighten_disc(image, x, y, radius, level_dn):
    where, cover = _disc(x, y, radius, image)
    if where is not None:
        image[where] += level_dn * cover


def add_annulus(image, x, y, inner, outer, level_dn):
    patch = _patch(image, x, y, outer + 2)
    if patch is None:
        return
    where, dx, dy = patch
    r = np.hypot(dx, dy)
    cover = np.clip(np.minimum(r - inner + 0.5, outer + 0.5 - r), 0.0, 1.0)
    image[where] += level_dn * cover
