"""The registration's measure on the training block: a fixed point's stray over the canvas."""

import numpy as np

from bench.optics import DATA_DIR
from bench.optics_oracle import capture_strays, strays, summarise_strays
from bench.optics_raytraced import read_block

CAPTURE = "train1000_clothes_hook_lens_081"


def entry_of(name: str) -> dict:
    return next(e for e in read_block(DATA_DIR / "train") if e["name"] == name)


def test_a_fixed_point_strays_by_the_walk_unregistered_and_little_registered():
    """Training capture 1000's hook lens moves 10-40 px over the image as the hand walks and
    wobbles: with no registration (every frame the canvas) its stray shows that motion; with
    the pipeline's registration it stays within a few pixels of its median."""
    entry = entry_of(CAPTURE)
    unregistered = strays(entry, [np.eye(3)] * entry["n_frames"], 640, 360)
    registered = capture_strays(DATA_DIR / "train", entry)["strays_px"]
    assert max(unregistered) > 10.0
    assert len(registered) == len(unregistered)
    assert np.median(registered) < 3.0 and max(registered) < max(unregistered) / 2


def test_the_summary_counts_captures_by_their_worst_stray():
    rows = [{"name": "a", "strays_px": [0.5, 4.0]}, {"name": "b", "strays_px": [12.0, 1.0]},
            {"name": "c", "strays_px": []}]
    summary = summarise_strays(rows)
    assert summary["captures_astray"] == {">3px": 2, ">5px": 1, ">10px": 1}
    assert summary["worst"][0] == {"capture": "b", "stray_px": 12.0}
    assert summary["point_frames"] == 4
