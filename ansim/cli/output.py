"""Printing results: human text by default, one JSON document per result with ``--json``, and
progress bars (on stderr, only on a terminal) for anything that takes more than a second."""

import json
import sys

from detector.i18n import describe_error


def emit(args, data, human_lines) -> None:
    """Print ``data`` as JSON (``--json``) or the already-translated ``human_lines``."""
    if args.json:
        print(json.dumps(data, ensure_ascii=False, default=_jsonable))
    else:
        for line in human_lines:
            print(line)


def _jsonable(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def progress(iterable=None, *, total=None, description="", args=None):
    """A progress bar on stderr when it is a terminal and output is not JSON."""
    from tqdm import tqdm  # noqa: PLC0415 (import cost: only commands that run long need it)

    quiet = (args is not None and args.json) or not sys.stderr.isatty()
    return tqdm(iterable, total=total, desc=description, disable=quiet, file=sys.stderr,
                leave=False)


def fail(exc, exit_code: int = 1) -> int:
    """Print a translated error to stderr and return the exit code."""
    print(describe_error(exc), file=sys.stderr)
    return exit_code
