"""What ``ansim log show`` and ``ansim log list`` say of a record's proof: its presence level
and reasons, each place's keyframe ("what the handheld saw at stall 2's door hook at 09:14")
and what changed there since the last signed-off inspection."""

from detector.i18n import t
from detector.timestamps import local_text


def presence_lines(body: dict) -> list[str]:
    presence = body.get("presence")
    if not presence:
        return []
    flag = "⚑ " if presence["flagged"] else ""
    lines = [flag + t(f"presence.level.{presence['level']}")]
    lines += ["  " + t(r["key"], known=r["known"], recognised=r["recognised"])
              for r in presence["reasons"]]
    return lines


def presence_flag(row: dict) -> str:
    """A list row's mark when its presence is weak or none."""
    level = row.get("presence")
    return f"  ⚑ {t(f'presence.level.{level}')}" if level in ("weak", "none") else ""


def place_lines(body: dict, evidence) -> list[str]:
    """Each scanned place: its keyframe file, and its changes since the reference."""
    lines = []
    for step in body.get("steps", []):
        if step.get("kind") != "optical_scan" or not step.get("keyframe"):
            continue
        place = t(f"inspect.item.{step['zone']}")
        lines.append(t("change.keyframe_of", stall=step["stall"], zone=place,
                       when=local_text(step["started_at"])))
        lines.append(f"    {evidence.path_for(step['keyframe']['sha256'])}")
        change = step.get("change")
        if not change or "aligned" not in change:
            continue
        since = "  " + t("change.since", when=local_text(change["reference"]["signed_at"]))
        if not change["aligned"]:
            lines.append(since + ": " + t("change.not_aligned",
                                          reason=t(f"change.reason.{change['reason']}")))
        elif not change["changes"]:
            lines.append(since + ": " + t("change.none"))
        for c in change["changes"]:
            lines.append(since + ": " + t(f"change.kind.{c['kind']}", x=round(c["x"]),
                                          y=round(c["y"]),
                                          confidence=round(100 * c["confidence"])))
            lines.append(f"    {t('change.crops')}: {evidence.path_for(c['crop_sha256'])}")
    return lines
