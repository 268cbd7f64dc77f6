"""How bright the renders make a cat's eye: the frame measured and the law fitted."""

import numpy as np

from bench.optics import DATA_DIR
from bench.optics_raytraced import read_block
from bench.raytrace.lens_flux import law, measured_frame
from hardware.sim import optical_physics


def synthetic_rows(constant_dn_px: float) -> list[dict]:
    """Lenses whose flux is ``constant_dn_px`` (2 mm at 1.3 m) times aperture^2 / d^2 and the
    simulator's beam and cone factors, and two the fit must leave out."""
    rng = np.random.default_rng(3)
    rows = []
    for distance_m, aperture_mm, angle_deg in zip(rng.uniform(0.3, 2.0, 30),
                                                  rng.uniform(0.7, 1.8, 30),
                                                  rng.uniform(0, 20, 30)):
        separation = optical_physics.ON_AXIS_RING_RADIUS_M / distance_m
        beam = np.exp(-0.5 * (separation / optical_physics.RETRO_BEAM_SIGMA_RAD) ** 2)
        flux = (constant_dn_px * (aperture_mm / 2.0) ** 2 * (1.3 / distance_m) ** 2 * beam
                * np.cos(np.radians(angle_deg)))
        rows.append({"distance_m": distance_m, "aperture_mm": aperture_mm,
                     "off_axis_deg": angle_deg, "peak_dn": 1000.0, "flux_dn_px": flux})
    rows.append({"distance_m": 0.4, "aperture_mm": 1.0, "off_axis_deg": 5.0, "peak_dn": 600.0,
                 "flux_dn_px": -900.0})  # deep in its hole: the hole outweighs the glint
    rows.append({"distance_m": 1.9, "aperture_mm": 0.9, "off_axis_deg": 5.0, "peak_dn": 4.0,
                 "flux_dn_px": 3.0})  # hidden by the hole's wall
    return rows


def test_the_law_recovers_a_known_constant_and_leaves_hidden_lenses_out():
    fitted = law(synthetic_rows(14500.0))
    assert fitted["lenses"] == 30
    assert abs(fitted["flux_2mm_1_3m_dn_px"]["median"] - 14500) <= 1
    # The raw fit takes in the beam's loss at short range (the ring further off the lens's
    # axis), which flattens d^-2 a little.
    assert -2.1 < fitted["distance_power"] < -1.5 and 1.8 < fitted["aperture_power"] < 2.2


def test_the_measured_frame_is_lit_by_the_on_axis_ring_with_the_lens_well_inside_its_cone():
    entries = read_block(DATA_DIR / "train")
    entry = next(e for e in entries if e["name"] == "train1000_clothes_hook_lens_081")
    index = measured_frame(entry)
    lens = entry["lenses"][0]
    where = next(f for f in lens["frames"] if f["index"] == index)
    assert entry["states"][index] == "on"
    assert where["off_axis_angle_deg"] <= lens["acceptance_half_angle_deg"] - 2.0
    earlier = [f for f in lens["frames"] if f["index"] < index]
    assert all(entry["states"][f["index"]] != "on" or not f["in_cone"] for f in earlier)
    no_lens = next(e for e in entries if not e["lenses"])
    assert measured_frame(no_lens) is None
