"""A process that runs inspections back to back until it is killed (by the crash test).

It prints one line per event, flushed at once: ``started ID`` when an inspection is committed,
``step ID`` after each committed step or mark, and ``signed ID`` once the sign-off has
committed. Steps come from outcome doubles (a stall with a lens and a video transmitter), so
each inspection writes evidence files, steps, marks and a signed record, as a real one does.

Usage: python -m tests.support.crash_worker DATA_DIR SEED
"""

import random
import sys

from detector.engine import checklist
from detector.engine.inspections import open_service
from tests.support.inspection_doubles import (
    AMBIENT,
    FakeRestroom,
    FakeSteps,
    video_emitter,
)

ROOM = FakeRestroom(emitters=(*AMBIENT, video_emitter()), lenses={(1, "door_hook"): 0.9},
                    power_by_zone_db={"door_hook": -30.0})


def say(*words) -> None:
    print(*words, flush=True)


def main(data_dir: str, seed: int) -> None:
    rng = random.Random(seed)
    service = open_service(data_dir, steps=FakeSteps(ROOM))
    while True:
        state = service.start(rng.choice(["jongno-1", "mapo-7"]), "Crash Test Inspector",
                              stalls=1)
        say("started", state.id)
        service.run_rf_step(state.id)
        say("step", state.id)
        for zone in checklist.ITEMS[:rng.randint(1, len(checklist.ITEMS))]:
            state = service.run_optical_step(state.id, 1, zone)
            say("step", state.id)
            status, _ = checklist.automatic_mark(state.steps[-1]["findings"])
            service.mark(state.id, 1, zone, status)
            say("step", state.id)
        service.set_verdict(state.id, rng.choice(["found", "suspicious"]))
        service.sign_off(state.id, "Crash Test Inspector")
        say("signed", state.id)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
