"""A site's history, as a new inspection compares itself with it: each place's keyframe from the
site's last signed-off inspection that scanned it, and what the radio knows of the site.

The history is read from the signed records themselves (never from working tables that could
be edited), so the reference a comparison names is a record anyone can check.
"""

import json

from sqlalchemy import select

from detector.log.storage.models import RECORD_BODY, Record, RecordBody

#: How many of the site's latest signed-off inspections are searched for a place's keyframe
#: (an inspection that skipped the place leaves the one before it as the reference).
RECORDS_SEARCHED = 10
#: A site emitter is stable once seen in this many inspections (the baseline's count).
STABLE_COUNT = 2
#: Seen today "as here" if its power is within this of its usual (median) power: a broadcast
#: station is heard across the city, but at the level of this spot only here.
SAME_LEVEL_DB = 4.0


def reference_keyframe(session, site_id: str, stall: int, zone: str) -> dict | None:
    """``{"record_id", "signed_at", "keyframe_sha256"}`` of the place's latest signed-off
    keyframe, or None if the site has none yet."""
    rows = session.execute(
        select(Record.id, Record.signed_at, RecordBody.body)
        .join(RecordBody, RECORD_BODY)
        .where(Record.site_id == site_id, Record.type == "inspection",
               Record.status == "signed_off")
        .order_by(Record.signed_at.desc(), Record.seq.desc()).limit(RECORDS_SEARCHED))
    for record_id, signed_at, body_text in rows:
        for step in json.loads(body_text).get("steps", []):
            keyframe = step.get("keyframe")
            if (step.get("kind") == "optical_scan" and step.get("stall") == stall
                    and step.get("zone") == zone and keyframe):
                return {"record_id": record_id, "signed_at": signed_at,
                        "keyframe_sha256": keyframe["sha256"]}
    return None


def rf_presence(baseline, emitters) -> dict:
    """How many of the site's stable emitters today's sweep saw at their usual level.

    ``baseline`` is the site's ``rf.baseline.SiteBaseline`` (None before the first clear
    sign-off), ``emitters`` today's (objects with freq_hz, bandwidth_hz, power_db).
    """
    stable = [k for k in (baseline.emitters if baseline is not None else ())
              if k.count >= STABLE_COUNT and not k.friendly]
    seen = 0
    for known in stable:
        if any(known.matches(e.freq_hz, e.bandwidth_hz)
               and abs(e.power_db - known.median_power_db) <= SAME_LEVEL_DB for e in emitters):
            seen += 1
    return {"stable_known": len(stable), "stable_seen": seen}
