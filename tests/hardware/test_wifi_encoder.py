"""The simulated cameras' frame sizes come from libx264: the cached traces are what the recipe
in hardware/sim/wifi_encoder.py makes, they behave like an H.264 encoder (GOP, I-frames,
bitrate, bigger frames when the picture changes), and the composer only hands out them."""

import numpy as np
import pytest

from hardware.sim import wifi_encoder as we
from hardware.sim.wifi_traces import FrameSizeComposer, load_traces, setting_named


@pytest.mark.parametrize("split", ["training", "benchmark"])
def test_traces_have_the_settings_gop_and_rate_with_large_i_frames(split):
    traces = load_traces(split)
    assert {t.scene_seed for t in traces} == set(
        we.TRAINING_SCENE_SEEDS if split == "training" else we.BENCHMARK_SCENE_SEEDS)
    for trace in traces:
        gop = trace.setting.gop_frames
        assert np.array_equal(np.flatnonzero(trace.keyframe),
                              np.arange(0, len(trace.keyframe), gop))
        i_sizes = trace.size_bytes[trace.keyframe]
        p_sizes = trace.size_bytes[~trace.keyframe]
        assert np.median(i_sizes) > 2 * np.median(p_sizes), trace.setting.name
        ratio = trace.bitrate_kbps / trace.setting.bitrate_kbps
        if trace.setting.rate_control == "cbr":  # CBR holds its rate
            assert 0.8 < ratio < 1.2, trace.setting.name
        else:  # capped VBR spends what the picture needs, up to its cap
            assert 0.2 < ratio < 1.2, trace.setting.name


def test_training_and_benchmark_material_do_not_overlap():
    assert not set(we.TRAINING_SCENE_SEEDS) & set(we.BENCHMARK_SCENE_SEEDS)


def test_a_changing_picture_costs_larger_p_frames():
    """Most where the encoder has bits to spare (VBR at 1-2 Mbit/s); least where it has none
    (VBR capped at 0.5 Mbit/s) or spends them all on detail anyway (CBR at 2 Mbit/s)."""
    for trace in load_traces("training"):
        change = np.abs(np.diff(trace.spot, prepend=0.0))
        p_frame = ~trace.keyframe
        ratio = np.median(trace.size_bytes[p_frame & (change > 0.15)]) / np.median(
            trace.size_bytes[p_frame & (change < 0.01)])
        roomy = trace.setting.rate_control == "vbr" and trace.setting.bitrate_kbps >= 1000
        assert ratio > (2.0 if roomy else 1.1), trace.setting.name


@pytest.mark.slow
def test_the_cache_is_what_libx264_makes_from_the_recipe():
    """Re-encode the first two seconds of a training scene: the same frame sizes come out."""
    seed = we.TRAINING_SCENE_SEEDS[0]
    settings = (setting_named("cbr1000_gop4"), setting_named("vbr500_gop4"))
    spot, fresh = we.encode_scene(seed, duration_s=2.0, settings=settings)
    cached = {t.setting.name: t for t in load_traces("training") if t.scene_seed == seed}
    for setting in settings:
        sizes, keyframes = fresh[setting.name]
        trace = cached[setting.name]
        assert np.allclose(spot, trace.spot[:len(spot)], atol=1 / 255)
        assert np.array_equal(keyframes, trace.keyframe[:len(keyframes)])
        assert np.allclose(sizes, trace.size_bytes[:len(sizes)], rtol=0.02), setting.name


def test_the_composer_hands_out_only_real_frames_on_the_settings_gop():
    setting = setting_named("vbr1000_gop2")
    real_sizes = np.concatenate([t.size_bytes for t in load_traces("training")
                                 if t.setting == setting])
    composer = FrameSizeComposer(setting, "training", np.random.default_rng(0))
    light = np.repeat(np.random.default_rng(1).integers(0, 2, 40), 8) * 0.8
    frames = [composer.next_frame(float(v)) for v in light]
    sizes = np.array([s for s, _ in frames])
    keyframes = np.array([k for _, k in frames])
    assert np.isin(sizes, real_sizes).all()
    assert np.array_equal(np.flatnonzero(keyframes), np.arange(0, len(light), setting.gop_frames))
    switched = np.abs(np.diff(light, prepend=0.0)) > 0
    assert np.median(sizes[switched & ~keyframes]) > 1.3 * np.median(sizes[~switched & ~keyframes])
