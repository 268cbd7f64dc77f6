"""``ansim doctor``: what hardware is present, which backend each part uses, what is missing and
how to fix it. Exits 0 when ansim can run (simulation counts), 1 when it cannot."""

import os
from pathlib import Path

from ansim.cli.output import emit
from detector import i18n
from detector.i18n import t
from hardware.gpio.pins import running_on_pi

#: The mark before each check, by its status (``detector.appliance.doctor``'s OK, WARN, FAIL).
_MARKS = {"ok": "ok", "warn": "!!", "fail": "XX"}


def register(subparsers, common):
    parser = subparsers.add_parser("doctor", parents=[common], help=t("doctor.help"))
    parser.set_defaults(func=run)


def run(args) -> int:
    from detector.appliance.doctor import diagnose  # noqa: PLC0415 (import cost)

    on_pi = running_on_pi()
    report = diagnose(args.profile, Path(args.data).expanduser() if args.data else None,
                      simulate=args.simulate, on_pi=on_pi)
    if not args.lang and report.profile is not None:  # as every command: --lang, env, profile
        i18n.set_language(os.environ.get("ANSIM_LANG") or report.profile.device.language)
    emit(args, _as_json(report, on_pi), _as_lines(report, args.simulate))
    return 0 if report.can_run else 1


def _as_json(report, on_pi) -> dict:
    return {
        "can_run": report.can_run,
        "on_pi": on_pi,
        "checks": [{"name": c.name, "status": c.status, "detail": c.detail(), "fix": c.fix(),
                    "detail_key": c.detail_key, "fix_key": c.fix_key, "params": c.params}
                   for c in report.checks],
        "backends": [{"part": n.part, "backend": n.backend, "note": n.text(), "key": n.key}
                     for n in report.backends],
        "simulated_parts": report.simulated_parts,
    }


def _as_lines(report, simulate) -> list[str]:
    lines = [t("doctor.title"), ""]
    for check in report.checks:
        lines.append(f"[{_MARKS[check.status]}] {check.detail()}")
        if check.fix_key:
            lines.append("     " + t("doctor.fix_prefix", fix=check.fix()))
    if report.backends:
        lines += ["", t("doctor.backends")]
        lines += [f"  {t('part.' + n.part)}: {t('hw.backend.' + n.backend)} - {n.text()}"
                  for n in report.backends]
    lines.append("")
    if report.simulated_parts:
        parts = ", ".join(t("part." + part) for part in report.simulated_parts)
        key = "doctor.simulation_forced" if simulate else "doctor.simulation_used"
        lines.append(t(key, parts=parts))
    lines.append(t("doctor.can_run") if report.can_run else t("doctor.cannot_run"))
    return lines
