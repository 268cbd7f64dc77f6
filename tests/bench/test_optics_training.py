"""The training block scored capture by capture, and a change's run compared with the one
before it."""

import json

import pytest

from bench.optics_training import TRAINING_DIR, capture_row, changes, main, totals
from bench.optics_raytraced import read_block


def row(name, **figures):
    base = {"in_cone_lenses": 1, "lenses_found": 0, "false_lens_alarms": 0, "leds": 1,
            "leds_found": 1, "false_glows": 0}
    return {"name": name, **base, **figures}


def entry_of(name: str) -> dict:
    return next(e for e in read_block(TRAINING_DIR) if e["name"] == name)


def test_a_training_capture_is_scored_as_the_benchmark_scores_its_own():
    """Training capture 1249: a lens in a smoke detector, in its cone, that step 3b finds, and
    no LED or other glint there."""
    found = capture_row(TRAINING_DIR, entry_of("train1249_smoke_detector_lens_030"))
    assert found["name"] == "train1249_smoke_detector_lens_030"
    assert found["in_cone_lenses"] == 1 and found["lenses_found"] == 1
    assert found["false_lens_alarms"] == 0 and found["leds"] == 0 and found["false_glows"] == 0


def test_only_the_captures_whose_figures_moved_are_listed_with_before_and_after():
    before = [row("a"), row("b", false_lens_alarms=2), row("c")]
    after = [row("a"), row("b", false_lens_alarms=1, lenses_found=1), row("new")]
    assert changes(before, after) == [
        {"name": "b", "lenses_found": [0, 1], "false_lens_alarms": [2, 1]}]


def test_the_totals_add_the_rows_and_count_scans_with_a_false_lens_alarm():
    rows = [row("a", false_lens_alarms=2), row("b", lenses_found=1), row("c")]
    summed = totals(rows)
    assert summed["captures"] == 3 and summed["lenses_found"] == 1
    assert summed["false_lens_alarms"] == 2 and summed["scans_with_false_lens_alarm"] == 1


@pytest.mark.parametrize("content", ["not json", json.dumps({"rows": []}),
                                     json.dumps([{"name": "a", "lenses_found": "1"}])])
def test_an_earlier_run_that_is_not_rows_is_refused_by_name(tmp_path, capsys, content):
    earlier = tmp_path / "earlier.json"
    earlier.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["--against", str(earlier)])
    assert stopped.value.code == 2
    assert "earlier.json" in capsys.readouterr().err
