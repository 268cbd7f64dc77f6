"""Ray-traced places filmed twice, for judging change since last time (``ansim bench change``).

A *place* is one checklist zone as the handheld sees it: a wall (square tiles with grout, or a
stall's laminate panel) holding the fixtures that belong there (a latch plate, a paper holder,
a coat hook, a vent, a sign, screws). A *visit* is that place filmed on one day, with the
nuisances a real second visit brings and that must not count as change:

- pose: the handheld held a few cm to the side, higher or lower, nearer or further, and turned
  and rolled by a few degrees (``POSE_SHIFT_M``, ``POSE_TURN_DEG``);
- lamp level: the ceiling lamp from 60 % to 140 % of its usual output (``LAMP_LEVELS``);
- droplets: water splashes on the wall (refracting hemispheres, 1-5 mm), new ones every day;
- exposure and sensor noise: applied when a render is loaded (``load_visit``), seeded, so the
  stored renders stay small (noise does not compress).

Each place is rendered four times: the reference visit (the last signed-off inspection), and
three later visits: one with nothing changed, one with a new hole (3-8 mm: where a pinhole
camera sits), and one with a new or a removed object (a hook, a smoke-detector puck, a screw,
a sticker, an air freshener, a charger). The truth of each visit (what changed, where it lies
in that visit's picture and how big it is there) is computed from the same camera model that
renders it.

Geometry: POV-Ray's axes; the wall is the plane z = 0 (the room at z < 0), y is up. Things on
the wall are placed in metres; the camera is the handheld's of ``bench.raytrace.camera`` (the
one camera model of every ray-traced capture: a pinhole ``Pose`` in millimetres, its field of
view and its 640x360 frame), and ``bench.raytrace.change_sdl`` renders through
``bench.raytrace.povray`` like the optics captures.

Seeds: ``TUNING_SEEDS`` are the places the change detector was tuned on (its thresholds on
9000-9011; 9012-9023 rendered later to study screws; 9024-9035 added with the shared camera,
and the registration's coarse-to-fine refinement and edge rule chosen on all 36; then
``SCREW_TUNING_SEEDS``, the first twenty places from 9036 on whose object visit adds or
removes a screw, drawn by the same scene code unchanged, for the faint-small pass; the second
plane, the edge strip and one change per thing were chosen on all 56; then
``SECOND_TUNING_SEEDS``, 9200-9239, a second block drawn the same way once those 56 showed
hardly any false change; then ``THIRD_TUNING_SEEDS``, 9300-9339, likewise);
``BENCH_SEEDS`` are the places the benchmark reports, never tuned on; ``FRESH_SEEDS`` a second
benchmark block, drawn after an earlier version of the detector and never looked at while
tuning either; ``UNTOUCHED_SEEDS`` a third, rendered and run once after the faint-small pass
was settled. Each judged block was run once more after the second plane was settled, once
more after the edge strip and one change per thing were, and once more after the side-face
sliver and the "changed" piece were (chosen on all 96 tuning places), and once more after the
whole difference and the side face seen in one picture were (chosen on all 136), and once more
after a wide strip's two sides were (the benchmark block twice: first with a registration
fallback for few feature matches, which was withdrawn when it took two of its pairs of places
for one). The blocks never overlap.
"""

from dataclasses import dataclass, field

import numpy as np

from bench.raytrace.camera import Pose, project, rotate, screen_size, unit

#: Places from 9036 on whose object visit is a screw (the first twenty such seeds, found by
#: running ``visits(make_place(seed))`` - nothing in the scenes is forced): the faint-small
#: pass of ``optics.change`` was tuned on them with the others. Tuning material only.
SCREW_TUNING_SEEDS = (9038, 9046, 9054, 9072, 9073, 9074, 9079, 9087, 9091, 9093, 9094, 9096,
                      9097, 9103, 9107, 9108, 9116, 9118, 9121, 9125)
#: A second tuning block of forty places, drawn by the same scene code unchanged, added once the
#: first 56 tuning places were exhausted (one false change in 168 comparisons there, while the
#: judged blocks still showed 5-8 in 120): its false changes show which kinds the judged blocks
#: suffer from without reading their cases. Tuning material only.
SECOND_TUNING_SEEDS = range(9200, 9240)
#: A third tuning block of forty, drawn by the same scene code unchanged once the first two
#: showed few false changes (6 in 288 comparisons, while the judged blocks showed 3-8 in
#: 120): the side face seen in one picture only was chosen on all three. Tuning material only.
THIRD_TUNING_SEEDS = range(9300, 9340)
#: Every place the thresholds were chosen on (tuning material only).
TUNING_SEEDS = (*range(9000, 9036), *SCREW_TUNING_SEEDS, *SECOND_TUNING_SEEDS,
                *THIRD_TUNING_SEEDS)
BENCH_SEEDS = range(100, 140)  # what ``ansim bench change`` reports
FRESH_SEEDS = range(300, 340)  # drawn after an earlier tuning; never tuned on
#: Rendered after the faint-small pass was settled and run once then: FRESH_SEEDS had been
#: looked at once before that change, this block never before it. Never tuned on.
UNTOUCHED_SEEDS = range(500, 540)
#: The blocks by the name ``ansim bench change --seeds`` and the renderer take them by.
SEED_BLOCKS = {"bench": BENCH_SEEDS, "fresh": FRESH_SEEDS, "untouched": UNTOUCHED_SEEDS,
               "tuning": TUNING_SEEDS, "tuning2": SECOND_TUNING_SEEDS,
               "tuning3": THIRD_TUNING_SEEDS}
DISTANCES_M = (0.4, 1.2)  # handheld to wall
POSE_SHIFT_M = 0.03  # a second visit stands up to this far off the first, on each axis
POSE_TURN_DEG = 3.0  # ... and is turned and rolled up to this much
LAMP_LEVELS = (0.6, 1.4)
HOLE_DIAMETERS_MM = (3.0, 8.0)
OBJECT_KINDS = ("hook", "smoke_puck", "screw", "sticker", "air_freshener", "charger")
VISITS = ("reference", "same", "hole", "object")


@dataclass(frozen=True)
class Item:
    """An object on the wall: its kind, centre (x, y on the wall, m) and turn about z (deg)."""

    kind: str
    x_m: float
    y_m: float
    turn_deg: float = 0.0
    size_m: float = 0.0  # holes: diameter; droplets: radius; others: unused

    @property
    def half_extent_m(self) -> float:
        """About half the item's size across, for its radius in pixels."""
        return {"hook": 0.025, "smoke_puck": 0.055, "screw": 0.0035, "sticker": 0.03,
                "air_freshener": 0.05, "charger": 0.023, "latch": 0.04, "paper_holder": 0.07,
                "vent": 0.1, "sign": 0.05}.get(self.kind, self.size_m / 2)


@dataclass(frozen=True)
class Wall:
    kind: str  # "tiles" | "panel"
    tile_m: float
    grey: float
    grout_grey: float
    speckle_scale_m: float
    seed: int


@dataclass(frozen=True)
class Visit:
    """One day's capture of a place: the camera, the lamp, and what was on the wall."""

    place_seed: int
    name: str
    pose: Pose  # the handheld's camera (millimetres)
    lamp_level: float
    wall: Wall
    items: tuple  # fixtures and objects, holes included
    droplets: tuple
    changes: tuple = ()  # (kind "new"|"removed", Item)

    def project(self, x_m: float, y_m: float, z_m: float = 0.0) -> tuple[float, float]:
        """Where a point on the wall lands in this visit's picture (pixel centres at
        integers)."""
        return project(np.array([x_m, y_m, z_m]) * 1000.0, self.pose)

    def radius_px(self, item: Item) -> float:
        x0, _ = self.project(item.x_m - item.half_extent_m, item.y_m)
        x1, _ = self.project(item.x_m + item.half_extent_m, item.y_m)
        return abs(x1 - x0) / 2

    def distance_m(self, item: Item) -> float:
        return float(np.linalg.norm(np.array([item.x_m, item.y_m, 0.0]) * 1000.0
                                    - self.pose.location)) / 1000.0

    def truth(self) -> dict:
        out = []
        for kind, item in self.changes:
            x, y = self.project(item.x_m, item.y_m)
            out.append({"kind": kind, "object": item.kind, "x": round(x, 2), "y": round(y, 2),
                        "radius_px": round(self.radius_px(item), 2),
                        "distance_m": round(self.distance_m(item), 3),
                        "size_mm": round(item.size_m * 1000, 2) if item.kind == "hole" else None})
        return {"place": self.place_seed, "visit": self.name, "lamp_level": self.lamp_level,
                "camera": self.pose.to_dict(), "changes": out}


@dataclass
class Place:
    seed: int
    wall: Wall
    target_m: tuple
    distance_m: float
    fixtures: list = field(default_factory=list)
    removable: Item | None = None  # an object present at the reference visit that may go


def make_place(seed: int) -> Place:
    rng = np.random.default_rng(seed)
    kind = "tiles" if rng.random() < 0.65 else "panel"
    wall = Wall(kind, float(rng.choice([0.1, 0.15, 0.2, 0.3])), float(rng.uniform(0.45, 0.85)),
                float(rng.uniform(0.2, 0.5)), float(rng.uniform(0.004, 0.02)),
                int(rng.integers(1, 10_000)))
    target = (float(rng.uniform(-0.5, 0.5)), float(rng.uniform(0.8, 1.6)))
    distance = float(rng.uniform(*DISTANCES_M))
    half_w, half_h = 0.8 * distance * _half_view()
    place = Place(seed, wall, target, distance)
    kinds = ["latch", "paper_holder", "hook", "vent", "sign"]
    for name in rng.choice(kinds, size=int(rng.integers(2, 4)), replace=False):
        place.fixtures.append(_free_spot(rng, place, str(name), half_w, half_h))
    for _ in range(int(rng.integers(0, 5))):
        place.fixtures.append(_free_spot(rng, place, "screw", half_w, half_h))
    removable = str(rng.choice(OBJECT_KINDS))
    place.removable = _free_spot(rng, place, removable, half_w * 0.7, half_h * 0.7)
    return place


def _free_spot(rng, place: Place, kind: str, half_w: float, half_h: float) -> Item:
    """An item of ``kind`` where it overlaps no other item of the place (best of 50 tries)."""
    others = place.fixtures + ([place.removable] if place.removable else [])
    best, best_gap = None, -np.inf
    for _ in range(50):
        item = Item(kind, place.target_m[0] + rng.uniform(-half_w, half_w),
                    place.target_m[1] + rng.uniform(-half_h, half_h),
                    float(rng.uniform(-10, 10)))
        gap = min((np.hypot(item.x_m - o.x_m, item.y_m - o.y_m) - item.half_extent_m
                   - o.half_extent_m for o in others), default=1.0)
        if gap > 0.02:
            return item
        if gap > best_gap:
            best, best_gap = item, gap
    return best


def visits(place: Place) -> list[Visit]:
    """The reference visit and the three later ones (same / new hole / object change)."""
    rng = np.random.default_rng([place.seed, 1])
    half_w, half_h = 0.55 * place.distance_m * _half_view()
    base = place.fixtures + [place.removable]
    out = [_visit(place, "reference", base, rng, shifted=False)]
    out.append(_visit(place, "same", base, rng))
    diameter = float(rng.uniform(*HOLE_DIAMETERS_MM)) / 1000
    hole = _free_spot(rng, place, "hole", half_w, half_h)
    hole = Item("hole", hole.x_m, hole.y_m, 0.0, diameter)
    out.append(_visit(place, "hole", base + [hole], rng, changes=(("new", hole),)))
    if rng.random() < 0.5:
        extra = _free_spot(rng, place, str(rng.choice(OBJECT_KINDS)), half_w, half_h)
        out.append(_visit(place, "object", base + [extra], rng, changes=(("new", extra),)))
    else:
        out.append(_visit(place, "object", place.fixtures, rng,
                          changes=(("removed", place.removable),)))
    return out


def _visit(place, name, items, rng, *, shifted=True, changes=()) -> Visit:
    target = np.array([*place.target_m, 0.0])
    shift = rng.uniform(-POSE_SHIFT_M, POSE_SHIFT_M, 3) if shifted else np.zeros(3)
    turn = np.radians(rng.uniform(-POSE_TURN_DEG, POSE_TURN_DEG, 3)) if shifted else np.zeros(3)
    location = target + np.array([0.0, 0.0, -place.distance_m]) + shift
    forward = unit(rotate(rotate([0.0, 0.0, 1.0], [0, 1, 0], turn[0]), [1, 0, 0], turn[1]))
    right = unit(np.cross([0.0, 1.0, 0.0], forward))
    up = np.cross(forward, right)
    roll = turn[2]
    right, up = (np.cos(roll) * right + np.sin(roll) * up,
                 -np.sin(roll) * right + np.cos(roll) * up)
    droplets = []
    if place.wall.kind == "tiles" or rng.random() < 0.3:
        half_w = place.distance_m * _half_view()[0]
        for _ in range(int(rng.integers(0, 12))):
            droplets.append(Item("droplet", place.target_m[0] + rng.uniform(-half_w, half_w),
                                 place.target_m[1] + rng.uniform(-0.6 * half_w, 0.6 * half_w),
                                 0.0, float(rng.uniform(0.0005, 0.0025)) * 2))
    lamp = 1.0 if not shifted else float(rng.uniform(*LAMP_LEVELS))
    pose = Pose(location * 1000.0, forward, right, up)
    return Visit(place.seed, name, pose, lamp, place.wall, tuple(items), tuple(droplets),
                 tuple(changes))


def _half_view() -> np.ndarray:
    """Half the camera's view across and up, at unit distance."""
    return np.asarray(screen_size()) / 2


AUTO_EXPOSURE_MEDIAN_DN = (90.0, 150.0)  # where auto-exposure puts the median, day to day
READ_NOISE_DN = 1.5
FULL_WELL_DN = 4000.0  # photons-equivalent per full-scale DN step sets the shot noise


def as_captured(grey: np.ndarray, seed) -> np.ndarray:
    """A render as the camera would deliver it on the day: auto-exposure settling the median
    somewhere in ``AUTO_EXPOSURE_MEDIAN_DN`` (a gain applied in linear light, re-encoded with
    the render's 2.2 gamma; highlights may clip), shot and read noise, 8 bits.
    Seeded, so a benchmark is repeatable; the stored render stays noise-free and small."""
    rng = np.random.default_rng(seed)
    linear = (grey.astype(np.float64) / 255.0) ** 2.2
    target = (rng.uniform(*AUTO_EXPOSURE_MEDIAN_DN) / 255.0) ** 2.2
    linear *= target / max(float(np.median(linear)), 1e-4)
    photons = rng.poisson(np.clip(linear, 0, 1) * FULL_WELL_DN) / FULL_WELL_DN
    encoded = 255.0 * np.clip(photons, 0, 1) ** (1 / 2.2)
    noisy = encoded + rng.normal(0.0, READ_NOISE_DN, grey.shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)
