"""``ansim log sync``: upload this device's signed log to the city hub (see docs/hub.md).

The first time, give the hub's address and the upload token the hub's admin got when enrolling
this device (``--identity`` prints what the admin needs); both are kept in ``DATA/hub.json``
(readable by its owner only), so later runs need no options. Safe to run again at any time:
an interrupted sync resumes where the hub's acknowledgement left off.

The token is a secret: give it with ``--token-file FILE`` (``-`` reads standard input) or the
``ANSIM_HUB_TOKEN`` environment variable. ``--token TOKEN`` still works, with a warning: a
command line is visible to every user of the machine (``ps``) and lands in shell history.
"""

import json
import os
import sys
from pathlib import Path

from ansim.cli.output import emit, fail
from detector.errors import DetectorError
from detector.i18n import catalogue, current_language, describe_problem, t
from hardware.errors import os_reason

SETTINGS_FILENAME = "hub.json"


def register(actions, common, guarded):
    sync = actions.add_parser("sync", parents=[common], help=t("hub.sync.help"))
    sync.add_argument("--hub", metavar="URL", help=t("hub.sync.help_hub"))
    sync.add_argument("--token", help=t("hub.sync.help_token"))
    sync.add_argument("--token-file", metavar="FILE", help=t("hub.sync.help_token_file"))
    sync.add_argument("--identity", action="store_true", help=t("hub.sync.help_identity"))
    sync.add_argument("--batch", type=int, default=None,
                      help=t("hub.sync.help_batch"))
    sync.set_defaults(func=guarded(run_sync))


def run_sync(args, ctx) -> int:
    from detector.hub.sync import (
        DEFAULT_BATCH_RECORDS,
        HubUnreachable,
        SyncError,
        SyncRefused,  # noqa: PLC0415 (import cost)
        sync_log,
    )

    if args.identity:
        return _identity(args, ctx.data_dir)
    hub_url, token = _settings(ctx.data_dir, args.hub, _given_token(args))
    if not hub_url or not token:
        print(t("hub.sync.needs_settings"), file=sys.stderr)
        return 2
    batch = DEFAULT_BATCH_RECORDS if args.batch is None else args.batch
    if batch < 1:
        raise SyncError(f"--batch: must be at least 1, not {batch}", problem="batch_too_small",
                        batch=batch)

    def progress(report):
        if not args.json:
            print(t("hub.sync.batch", head=report.head_seq, local=report.local_seq),
                  file=sys.stderr, flush=True)

    try:
        report = sync_log(ctx.data_dir, hub_url, token, batch_records=batch,
                          on_batch=progress)
    except HubUnreachable as exc:
        print(t("hub.sync.unreachable", detail=describe_problem(exc)), file=sys.stderr)
        return 1
    except SyncRefused as exc:
        print(t("hub.sync.refused", reason=_refusal_reason(exc.code), detail=str(exc)),
              file=sys.stderr)
        return 1
    except SyncError as exc:
        return fail(exc)
    lines = [t("hub.sync.done", hub=report.hub_url, stored=report.stored,
               duplicates=report.duplicates, evidence=report.evidence_sent,
               head=report.head_seq, local=report.local_seq)]
    if report.hub_was_behind:
        lines.append(t("hub.sync.hub_was_behind"))
    lines += [t("hub.sync.evidence_unavailable", detail=d) for d in report.evidence_unavailable]
    emit(args, report.to_dict(), lines)
    return 0


def _refusal_reason(code: str) -> str:
    """The hub's refusal code in words (an unknown code, from a newer hub, as it is)."""
    key = f"hub.refused.{code}"
    return t(key) if key in catalogue(current_language()) else code


def _identity(args, data_dir: Path) -> int:
    from detector.log.signing import DeviceKey  # noqa: PLC0415 (import cost)

    key = DeviceKey.load_or_create(data_dir)
    emit(args, {"device_id": key.device_id, "public_key": key.public_key_hex},
         [t("hub.sync.identity", device=key.device_id, public_key=key.public_key_hex)])
    return 0


class TokenSourceError(DetectorError, ValueError):
    """The token file cannot be read, or holds no token."""


TOKEN_ENV = "ANSIM_HUB_TOKEN"


def _given_token(args) -> str | None:
    """The token from ``--token-file``, ``ANSIM_HUB_TOKEN`` or (warned) ``--token``."""
    if args.token_file:
        try:
            text = sys.stdin.read() if args.token_file == "-" else \
                Path(args.token_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise TokenSourceError(f"{args.token_file}: {exc}", problem="token_unreadable",
                                   path=args.token_file, reason=os_reason(exc)) from None
        except UnicodeDecodeError as exc:
            raise TokenSourceError(f"{args.token_file}: {exc}", problem="token_not_text",
                                   path=args.token_file) from None
        if not text.strip():
            raise TokenSourceError(f"{args.token_file}: holds no token", problem="token_empty",
                                   path=args.token_file)
        return text.strip()
    if args.token:
        print(t("hub.sync.token_on_command_line"), file=sys.stderr)
        return args.token
    return os.environ.get(TOKEN_ENV, "").strip() or None


def _settings(data_dir: Path, hub_url: str | None, token: str | None) -> tuple:
    """The hub's address and token: as given (and then kept for next time), else as kept."""
    from detector.hub.sync import SyncError  # noqa: PLC0415 (import cost)

    path = data_dir / SETTINGS_FILENAME
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        kept = {}
    except ValueError as exc:
        raise SyncError(f"{path}: not readable JSON ({exc}); give --hub and --token again",
                        problem="hub_settings_unreadable", path=path) from None
    settings = {"url": hub_url or kept.get("url"), "token": token or kept.get("token")}
    if (hub_url or token) and settings != kept and settings["url"] and settings["token"]:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(settings, out)
    return settings["url"], settings["token"]
