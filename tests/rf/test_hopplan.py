import numpy as np
import pytest

from rf.hopplan import HopPlanError, parse_band, plan_hops


def test_hops_tile_the_band_without_gaps_or_overlap():
    plan = plan_hops(["video_900"], 2.4e6, fft_size=512, crop_fraction=0.25)
    edges = [(h.keep_lo_hz, h.keep_hi_hz) for h in plan.hops]
    assert edges[0][0] == 900e6
    assert edges[-1][1] >= 960e6
    for (_, hi), (lo, _) in zip(edges, edges[1:]):
        assert lo == pytest.approx(hi)
    widths = {round(hi - lo) for lo, hi in edges}
    assert widths == {round(384 * plan.bin_hz)}  # 75 % of 512 bins kept


def test_overlapping_bands_are_merged():
    plan = plan_hops(["1000-1100", "1050-1200"], 2.4e6)
    centres = [h.rf_center_hz for h in plan.hops]
    assert len(centres) == len(set(centres))
    assert plan.hops[-1].keep_hi_hz >= 1200e6


def test_a_downconverter_lo_brings_2_4_ghz_into_the_tuner_range():
    plan = plan_hops(["video_2400"], 2.4e6, downconverter_lo_hz=2.0e9)
    assert all(24e6 <= h.tuner_hz <= 1766e6 for h in plan.hops)
    assert all(h.rf_center_hz - h.tuner_hz == 2.0e9 for h in plan.hops)


def test_bands_out_of_reach_and_bad_names_are_refused_clearly():
    with pytest.raises(HopPlanError, match="video_2400.*downconverter"):
        plan_hops(["video_2400"], 2.4e6)
    with pytest.raises(HopPlanError, match="'wifi'"):
        parse_band("wifi")
    with pytest.raises(HopPlanError, match="stop frequency"):
        parse_band("500-400")


def test_custom_band_in_mhz():
    band = parse_band("433.05-434.79")
    assert (band.start_hz, band.stop_hz) == (433.05e6, pytest.approx(434.79e6))
    assert np.isclose(band.stop_hz - band.start_hz, 1.74e6)
