"""The human parts of an evidence bundle: a printable report (Korean, then English) and
``VERIFY.txt``, the checks anyone can run with standard tools."""

from html import escape

from detector.i18n import t
from detector.timestamps import local_text

LANGUAGES = ("ko", "en")


def verify_text(record) -> str:
    parts = [t("bundle.verify", lang, record_id=record.id, record_hash=record.record_hash,
               device_id=record.device_id) for lang in LANGUAGES]
    return "\n\n".join(parts) + "\n"


def report_html(record, evidence_names: dict) -> str:
    sections = "\n".join(_section(record, evidence_names, lang) for lang in LANGUAGES)
    return ("<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(record.id)}</title><style>"
            "body{font-family:sans-serif;max-width:50em;margin:1em auto}"
            "section{page-break-after:always}img{max-width:100%;border:1px solid #888}"
            "td,th{text-align:left;padding:2px 8px;vertical-align:top}"
            ".flag{color:#b00;font-weight:bold}"
            f"</style></head><body>\n{sections}\n</body></html>\n")


def _row(label: str, value) -> str:
    return f"<tr><th>{escape(label)}</th><td>{escape(str(value))}</td></tr>"


def _section(record, names: dict, lang: str) -> str:
    body = record.body
    def tr(key, **params):
        return t(key, lang, **params)
    out = [f"<section lang=\"{lang}\"><h1>{escape(tr('bundle.title'))}</h1><table>"]
    if body.get("type") == "inspection":
        verdict = body.get("verdict")
        out += [_row(tr("bundle.site"), f"{body['site']['name']} ({body['site']['id']})"),
                _row(tr("bundle.address"), body["site"].get("address") or "-"),
                _row(tr("bundle.inspector"), body["inspector"]),
                _row(tr("bundle.started"), local_text(body["started_at"])),
                _row(tr("bundle.verdict"),
                     tr(f"inspect.verdict.{verdict}") if verdict else tr("inspect.verdict.none"))]
    out += [_row(tr("bundle.signed"), local_text(body["signed_at"])),
            _row(tr("bundle.record"), record.id), _row(tr("bundle.device"), record.device_id),
            _row(tr("bundle.hash"), record.record_hash), "</table>"]
    presence = body.get("presence")
    if presence:
        css = " class=\"flag\"" if presence["flagged"] else ""
        out.append(f"<h2{css}>{escape(tr('presence.level.' + presence['level']))}</h2><ul>")
        out += [f"<li>{escape(tr(r['key'], known=r['known'], recognised=r['recognised']))}</li>"
                for r in presence["reasons"]]
        out.append("</ul>")
    alerts = body.get("alerts") or []
    if alerts:
        out.append(f"<h2>{escape(tr('bundle.alerts'))}</h2><ul>")
        for a in alerts:
            place = tr(f"inspect.item.{a['zone']}") if a.get("zone") else ""
            text = tr(a["message_key"], freq_mhz=f"{(a.get('freq_hz') or 0) / 1e6:.1f}",
                      standard=a.get("video_standard") or "?", stall=a.get("stall") or "",
                      place=place, confidence=f"{a.get('confidence') or 0:.2f}",
                      **{k: _dbm(a.get(k)) for k in ("rssi_dbm", "max_dbm")})
            out.append(f"<li>[{escape(tr('inspect.severity.' + a['severity']))}] "
                       f"{escape(place)} {escape(text)}</li>")
        out.append("</ul>")
    out += _places(body, names, tr)
    out.append(f"<p>{escape(tr('bundle.see_verify'))}</p></section>")
    return "\n".join(out)


def _dbm(value) -> str:
    """A Wi-Fi level for a sentence (``?`` when the capture carried none)."""
    return f"{value:.0f}" if isinstance(value, (int, float)) else "?"


def _places(body: dict, names: dict, tr) -> list[str]:
    out = []
    for step in body.get("steps", []):
        if step.get("kind") != "optical_scan" or not step.get("keyframe"):
            continue
        place = tr(f"inspect.item.{step['zone']}")
        caption = tr("change.keyframe_of", stall=step["stall"], zone=place,
                     when=local_text(step["started_at"]))
        out.append(f"<h3>{escape(caption)}</h3>")
        name = names.get(step["keyframe"]["sha256"])
        if name:
            out.append(f"<img src=\"{escape(name)}\" alt=\"{escape(caption)}\">")
        change = step.get("change") or {}
        for c in change.get("changes", []):
            crop = names.get(c["crop_sha256"])
            label = tr(f"change.kind.{c['kind']}", x=round(c["x"]), y=round(c["y"]),
                       confidence=round(100 * c["confidence"]))
            out.append(f"<p>{escape(label)} — {escape(tr('change.crops'))}</p>")
            if crop:
                out.append(f"<img src=\"{escape(crop)}\" alt=\"{escape(label)}\">")
    return out
