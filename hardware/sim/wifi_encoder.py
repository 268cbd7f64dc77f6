"""Real H.264 encoder traces for the simulated Wi-Fi cameras: libx264 (through PyAV) encodes the
scene as a hidden camera sees it while the handheld's rings light part of it.

Why a real encoder: the stimulus lock-in claims that a camera's bitrate follows the light it
sees. A hand-written bitrate model would only show that the model follows the code it was
written from. Here the frame sizes come from libx264 compressing rendered pictures, so rate
control, the GOP's I-frame bursts, how much a brighter patch or a changing one costs, and how
the camera's own auto-exposure softens a step are the encoder's and the picture's, not ours.

The rendered scene (``ViewRenderer``): the stall seen from a corner, 1280x720 luma (a
night-mode or IR-sensitive camera records grey pictures; chroma is flat): tiled walls and
floor with grout, a door, the toilet, a vignette; the inspector's dark silhouette swaying in
view (motion the stimulus does not cause); the noise the ISP's denoiser leaves, growing with
the gain. The rings add a soft patch of light where the handheld points, of strength ``spot``
= ring level x how much of that light reaches this camera; the patch widens with ``spot``
until, at 1 (the rings shine into the lens), flare veils the whole picture. Auto-exposure
(``AE_RATE_PER_FRAME``) pulls the mean luma back to its target over ~0.5 s, so a step of light
shows as a jump that fades, as on real cameras.

The stimulus in a library trace (``library_spot_sequence``) mixes what an inspection shows a
camera: dark stretches, steady light, slow on/off steps (a visible ring's code) and per-frame
flicker (fast IR codes integrated over a 15 fps exposure), with a random coupling per stretch.

Settings (``SETTINGS``): what spy-camera firmware ships: 1280x720 at 15 fps, 0.5-2 Mbit/s,
GOP 1-4 s, no B-frames, fixed GOP (no scene-cut I-frames), CBR (average rate held by a
one-second VBV, without filler data: camera firmware does not pad), or
capped VBR (constant quality, VBV-capped at the nominal rate). x264 preset ``superfast``,
about the quality of the hardware encoders in those cameras' SoCs.

Material: ``TRAINING_SCENE_SEEDS`` render the scenes whose traces may be used to fit and tune
the analysis (classifier, thresholds). ``BENCHMARK_SCENE_SEEDS`` render different stalls and
stimulus sequences; their traces only ever feed ``ansim bench wifi``. Each trace records its
seed and split.

Regenerate the cache (a few minutes on one core): ``python -m hardware.sim.wifi_encoder``.
"""

import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

WIDTH, HEIGHT, FPS = 1280, 720, 15
TRACE_DURATION_S = 45.0
#: Fraction of the way to the auto-exposure target the gain moves each frame (~0.5 s at 15 fps).
AE_RATE_PER_FRAME = 0.13
AE_TARGET_LUMA = 110.0
#: Noise left in the picture (luma units, 1 sigma) in full light, after the camera SoC's
#: temporal noise reduction (3DNR: every IP-camera ISP has one, because noise costs bits); it
#: grows as the square root of the analogue gain auto-exposure adds in dimmer light. Raw
#: sensor noise is 2-4 luma indoors; 3DNR takes off about two thirds of it.
READ_NOISE_LUMA = 0.8
X264_PRESET = "superfast"

TRAINING_SCENE_SEEDS = (101, 102)  # TRAINING material: may be used to fit and tune the analysis
BENCHMARK_SCENE_SEEDS = (901, 902)  # BENCHMARK material: only for ansim bench wifi

CACHE_PATH = Path(__file__).with_name("data") / "wifi_encoder_traces.npz"


@dataclass(frozen=True)
class EncoderSetting:
    name: str
    bitrate_kbps: int
    gop_s: float
    rate_control: str  # "cbr" or "vbr"

    @property
    def gop_frames(self) -> int:
        return int(round(self.gop_s * FPS))


SETTINGS = (
    EncoderSetting("cbr500_gop2", 500, 2.0, "cbr"),
    EncoderSetting("cbr1000_gop4", 1000, 4.0, "cbr"),
    EncoderSetting("cbr2000_gop1", 2000, 1.0, "cbr"),
    EncoderSetting("vbr500_gop4", 500, 4.0, "vbr"),
    EncoderSetting("vbr1000_gop2", 1000, 2.0, "vbr"),
    EncoderSetting("vbr2000_gop3", 2000, 3.0, "vbr"),
)


def x264_options(setting: EncoderSetting) -> dict[str, str]:
    """libx264 options for ``setting`` (PyAV codec options)."""
    gop = setting.gop_frames
    common = f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0"
    if setting.rate_control == "cbr":
        rc = f"bitrate={setting.bitrate_kbps}:vbv-maxrate={setting.bitrate_kbps}" \
             f":vbv-bufsize={setting.bitrate_kbps}"
    else:
        rc = f"crf=26:vbv-maxrate={setting.bitrate_kbps}:vbv-bufsize={2 * setting.bitrate_kbps}"
    return {"preset": X264_PRESET, "tune": "zerolatency", "threads": "1",
            "x264-params": f"{common}:{rc}"}


def library_spot_sequence(rng: np.random.Generator, n_frames: int) -> np.ndarray:
    """Per-frame ring light reaching the camera, 0..1: a mix of what inspections show it."""
    spot = np.zeros(n_frames)
    k = 0
    while k < n_frames:
        regime = rng.choice(["dark", "steady", "steps", "flicker"], p=[0.25, 0.15, 0.3, 0.3])
        length = int(rng.integers(8, 60))
        coupling = float(rng.uniform(0.15, 1.0))
        stretch = slice(k, min(k + length, n_frames))
        n = stretch.stop - stretch.start
        if regime == "steady":
            spot[stretch] = coupling
        elif regime == "steps":
            chip = int(rng.integers(2, 12))
            spot[stretch] = coupling * np.repeat(rng.integers(0, 2, n // chip + 1), chip)[:n]
        elif regime == "flicker":
            spot[stretch] = coupling * rng.uniform(0.2, 0.9, n)
        k = stretch.stop
    return spot


class ViewRenderer:
    """The stall as one hidden camera sees it (seeded), frame by frame, with auto-exposure."""

    SPOT_SIGMA_PX = 170.0
    #: Light shone into the lens itself (the camera's own place is scanned) is not a patch:
    #: flare veils the whole picture. The lit area grows with ``spot`` to frame-wide at 1.
    GLARE_SIGMA_PX = 1000.0
    SPOT_GAIN = 1.6  # full ring light at the patch's centre, relative to full room light

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.base = _stall_picture(self.rng)
        self.spot_centre = np.array([self.rng.uniform(0.3, 0.7) * WIDTH,
                                     self.rng.uniform(0.3, 0.7) * HEIGHT])
        self.body_x = int(self.rng.uniform(0.3, 0.7) * WIDTH)
        self.ambient = float(self.rng.uniform(0.35, 0.8))  # room light, of full exposure
        self.full_light_gain = AE_TARGET_LUMA / float(self.base.mean())
        self.gain = self.full_light_gain / self.ambient
        self.noise_bank = [self.rng.standard_normal((HEIGHT, WIDTH)).astype(np.float32)
                           for _ in range(6)]
        self._noise_index = 0
        self._body_strip = _body_strip()
        self._xs = np.arange(WIDTH, dtype=np.float32)
        self._ys = np.arange(HEIGHT, dtype=np.float32)

    def render(self, spot: float) -> np.ndarray:
        """The next frame's luma (uint8) with ring light ``spot`` (0..1) on the patch."""
        self.spot_centre += self.rng.normal(0, 6.0, 2)  # the handheld sweeps the place
        self.spot_centre = np.clip(self.spot_centre, [200, 150], [WIDTH - 200, HEIGHT - 150])
        self.body_x = int(np.clip(self.body_x + self.rng.normal(0, 4.0), 150, WIDTH - 150))
        light = self.ambient * self.base
        if spot > 0:
            sigma_px = self.SPOT_SIGMA_PX + self.GLARE_SIGMA_PX * spot ** 2
            gx = np.exp(-((self._xs - self.spot_centre[0]) ** 2) / (2 * sigma_px ** 2))
            gy = np.exp(-((self._ys - self.spot_centre[1]) ** 2) / (2 * sigma_px ** 2))
            light = light + (spot * self.SPOT_GAIN) * self.base * np.outer(gy, gx)
        light = light * self._body_strip[:, WIDTH - self.body_x:2 * WIDTH - self.body_x]
        # consecutive frames never share a noise field: sensor noise is new every frame
        self._noise_index = (self._noise_index + int(self.rng.integers(1, len(self.noise_bank)))) \
            % len(self.noise_bank)
        analogue_gain = self.gain / self.full_light_gain  # 1 in full light, more when dim
        image = self.gain * light + (READ_NOISE_LUMA * np.sqrt(analogue_gain)) \
            * self.noise_bank[self._noise_index]
        self.gain *= 1 + AE_RATE_PER_FRAME * (AE_TARGET_LUMA / max(float(image.mean()), 1.0) - 1)
        return np.clip(image, 0, 255).astype(np.uint8)


def _body_strip() -> np.ndarray:
    """The inspector's silhouette (0.35 of the light behind it) centred on column ``WIDTH`` of
    a strip twice the frame's width, so a frame is a slice of it wherever the body stands."""
    ys, xs = np.mgrid[0:HEIGHT, 0:2 * WIDTH].astype(np.float32)
    half_width = 110 + 0.25 * np.clip(ys - HEIGHT / 2, 0, None)
    body = (np.abs(xs - WIDTH) < half_width) & (ys > 180)
    return np.where(body, 0.35, 1.0).astype(np.float32)


def _stall_picture(rng) -> np.ndarray:
    """Reflectance 0..1 of the stall seen from a high corner: tiles, door, toilet, vignette."""
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    tile_px = rng.uniform(40, 70)
    wall = 0.75 + 0.08 * rng.standard_normal((HEIGHT // 8 + 1, WIDTH // 8 + 1)).repeat(8, 0) \
        .repeat(8, 1)[:HEIGHT, :WIDTH]
    grout = ((xs % tile_px) < 3) | ((ys % tile_px) < 3)
    picture = np.where(grout, 0.45, wall)
    floor = ys > HEIGHT * rng.uniform(0.65, 0.75)
    picture = np.where(floor, 0.4 + 0.1 * ((xs // 90 + ys // 90) % 2), picture)
    door_x = rng.uniform(0.05, 0.25) * WIDTH
    picture = np.where((xs > door_x) & (xs < door_x + 300) & (ys < HEIGHT * 0.7), 0.55, picture)
    cx, cy = rng.uniform(0.45, 0.65) * WIDTH, HEIGHT * 0.72
    toilet = ((xs - cx) / 120) ** 2 + ((ys - cy) / 70) ** 2 < 1
    picture = np.where(toilet, 0.95, picture)
    vignette = 1 - 0.35 * (((xs - WIDTH / 2) / WIDTH) ** 2 + ((ys - HEIGHT / 2) / HEIGHT) ** 2)
    return (picture * vignette).astype(np.float32)


def encode_scene(scene_seed: int, duration_s: float = TRACE_DURATION_S,
                 settings=SETTINGS) -> tuple[np.ndarray, dict]:
    """Render one scene under one stimulus sequence and encode it at every setting.

    Returns the per-frame spot light and, per setting name, (sizes_bytes, is_keyframe).
    """
    import av  # only the cache builder and its tests need the encoder

    n_frames = int(duration_s * FPS)
    # separate streams, so a shorter run renders and encodes the same first frames
    spot = library_spot_sequence(np.random.default_rng([scene_seed, 0]), n_frames)
    renderer = ViewRenderer(np.random.default_rng([scene_seed, 1]).integers(2**31))
    codecs = {s.name: _open_codec(av, s) for s in settings}
    packets = {name: [] for name in codecs}
    chroma = np.full((HEIGHT // 2, WIDTH), 128, np.uint8)
    for k in range(n_frames):
        picture = np.vstack([renderer.render(spot[k]), chroma])
        for name, codec in codecs.items():
            frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
            frame.pts = k
            packets[name].extend(codec.encode(frame))
    traces = {}
    for name, codec in codecs.items():
        out = sorted(packets[name] + list(codec.encode(None)), key=lambda p: p.pts)
        if len(out) != n_frames:
            raise RuntimeError(f"libx264 returned {len(out)} packets for {n_frames} frames")
        traces[name] = (np.array([p.size for p in out], dtype=np.uint32),
                        np.array([p.is_keyframe for p in out], dtype=bool))
    return spot, traces


def _open_codec(av, setting: EncoderSetting):
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height, codec.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    codec.time_base, codec.framerate = Fraction(1, FPS), Fraction(FPS, 1)
    codec.bit_rate = setting.bitrate_kbps * 1000
    codec.options = x264_options(setting)
    codec.open()
    return codec


def build_cache(path: Path = CACHE_PATH) -> None:
    """Encode every scene seed at every setting and store the traces compactly."""
    arrays = {}
    for split, seeds in (("training", TRAINING_SCENE_SEEDS), ("benchmark", BENCHMARK_SCENE_SEEDS)):
        for seed in seeds:
            spot, traces = encode_scene(seed)
            arrays[f"{split}/{seed}/spot_u8"] = np.round(spot * 255).astype(np.uint8)
            for name, (sizes, keyframes) in traces.items():
                arrays[f"{split}/{seed}/{name}/size_bytes"] = sizes
                arrays[f"{split}/{seed}/{name}/keyframe"] = keyframes
                kbps = sizes.sum() * 8 / (len(sizes) / FPS) / 1000
                print(f"{split}/{seed}/{name}: {kbps:.0f} kbit/s", file=sys.stderr, flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


if __name__ == "__main__":
    build_cache()
