"""How each simulated surface looks to the handheld's camera: the physics behind the sprites
the simulated camera draws (see docs/optics.md for the model and its constants).

Everything here works in metres and radians and returns what a pixel would collect in DN for
an 8 ms exposure with a ring fully lit (``RING_*``) or from room light (``AMBIENT_*``); the camera
scales by exposure and lit fraction.
"""

import numpy as np

#: The handheld's face: the on-axis ring is an annulus around the lens, the off-axis ring the
#: same annulus 90 mm to the side (along the camera's right vector).
ON_AXIS_RING_RADIUS_M = 0.007
OFF_AXIS_RING_OFFSET_M = 0.09
RING_INNER_M, RING_OUTER_M = 0.0055, 0.0085

#: Cat's eye: the glint's total flux (DN px) from a 2 mm aperture at 1.3 m, the return beam's
#: angular width, and the edge of the acceptance cone's fall-off.
LENS_FLUX_DN_PX = 300.0
RETRO_BEAM_SIGMA_RAD = np.radians(1.0)
CONE_EDGE_DEG = 1.0

#: Diffuse light the rings add to a white wall at 1 m (DN), and the room light on it (DN).
RING_DIFFUSE_DN_AT_1M = 18.0
AMBIENT_DN = 55.0
FLICKER_DEPTH = 0.3  # the lamp's 100/120 Hz modulation depth (cheap LED and fluorescent lamps)

#: A ring's image in a flat mirror: DN per unit reflectance, spread over the ring's annulus.
RING_MIRROR_DN = 450.0
#: Flux (DN px) of a ring's highlight on a chrome sphere of radius 1 cm at 1 m, per reflectance.
SPHERE_HIGHLIGHT_DN_PX = 260.0
#: A fully driven LED's flux (DN px): saturates the pixels it covers.
LED_FLUX_DN_PX = 6000.0
LAMP_HIGHLIGHT_DN_PX = 20.0  # the ceiling lamp's highlight on the same sphere (20-90 DN peaks, as ray-traced)
LAMP_DIRECTION = np.array([0.0, 1.0, 0.0])  # the lamp is overhead


def ring_positions(pose) -> dict[str, np.ndarray]:
    """World positions of the two rings' centres."""
    return {"on_axis": pose.position_m.copy(),
            "off_axis": pose.position_m + OFF_AXIS_RING_OFFSET_M * pose.right}


def cone_factor(off_axis_deg: float, half_angle_deg: float) -> float:
    """A cat's eye returns light only while the focused spot stays on its sensor."""
    edge = np.clip((half_angle_deg - off_axis_deg) / CONE_EDGE_DEG + 0.5, 0.0, 1.0)
    return float(edge * max(np.cos(np.radians(off_axis_deg)), 0.0))


def retro_flux(surface, camera_m, ring_m) -> float:
    """Glint flux (DN px) a pinhole lens sends to the camera from one fully lit ring."""
    to_camera = camera_m - surface.position_m
    distance_m = float(np.linalg.norm(to_camera))
    off_axis_deg = float(np.degrees(np.arccos(np.clip(
        to_camera @ surface.normal / distance_m, -1.0, 1.0))))
    to_ring = ring_m - surface.position_m
    # The return beam is centred on the ring itself; the camera sits this far off its axis.
    separation_rad = float(np.arccos(np.clip(
        to_ring @ to_camera / (np.linalg.norm(to_ring) * distance_m), -1.0, 1.0)))
    separation_rad = max(separation_rad, ON_AXIS_RING_RADIUS_M / distance_m)
    beam = np.exp(-0.5 * (separation_rad / RETRO_BEAM_SIGMA_RAD) ** 2)
    aperture_mm = 2000.0 * surface.radius_m
    return (LENS_FLUX_DN_PX * (aperture_mm / 2.0) ** 2 * (1.3 / distance_m) ** 4 * beam
            * cone_factor(off_axis_deg, surface.cone_half_angle_deg) * surface.reflectance)


def sphere_highlight(centre_m, radius_m, camera_m, source_m):
    """Where a convex mirror (sphere) shows a point source to the camera, and the flux.

    The highlight sits where the sphere's normal bisects the directions to the source and to
    the camera; as the camera moves, it slides over the sphere.
    """
    to_camera = camera_m - centre_m
    to_source = source_m - centre_m
    half = to_camera / np.linalg.norm(to_camera) + to_source / np.linalg.norm(to_source)
    half /= np.linalg.norm(half)
    point_m = centre_m + radius_m * half
    distance_m = float(np.linalg.norm(to_camera))
    flux = SPHERE_HIGHLIGHT_DN_PX * (radius_m / 0.01) ** 2 / distance_m**2
    return point_m, flux


def lamp_highlight(centre_m, radius_m, camera_m):
    """The overhead lamp's highlight on a sphere (room light: answers neither ring)."""
    to_camera = camera_m - centre_m
    half = to_camera / np.linalg.norm(to_camera) + LAMP_DIRECTION
    half /= np.linalg.norm(half)
    distance_m = float(np.linalg.norm(to_camera))
    return centre_m + radius_m * half, LAMP_HIGHLIGHT_DN_PX * (radius_m / 0.01) ** 2 / distance_m**2


def mirror_image(point_m, plane_point_m, normal):
    """``point_m`` reflected in the plane through ``plane_point_m`` with unit ``normal``."""
    return point_m - 2.0 * float((point_m - plane_point_m) @ normal) * normal


def flicker_level(start_s: float, exposure_s: float, flicker_hz: float) -> float:
    """Mean lamp level over an exposure: 1 + depth * the mean of cos over the window."""
    if flicker_hz <= 0:
        return 1.0
    w = 2 * np.pi * flicker_hz
    mean_cos = (np.sin(w * (start_s + exposure_s)) - np.sin(w * start_s)) / (w * exposure_s)
    return float(1.0 + FLICKER_DEPTH * mean_cos)
