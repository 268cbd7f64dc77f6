"""The device profile: one TOML file saying how this handheld is wired and tuned.

Loaded and validated once, at the edge (the CLI or the dashboard's start), into frozen
dataclasses; everything below receives plain values. A wrong file is refused with an error that
names the key and the problem, e.g. ``radio.gain_db: must be a number or "auto", not "loud"``.
"""

import math
import os
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from detector.errors import DetectorError
from detector.places import MAX_STALLS
from detector.textcheck import refused_character
from hardware.errors import os_reason

DEFAULT_PROFILE_PATH = Path(__file__).with_name("default_profile.toml")
PI_DATA_DIR = Path("/var/lib/ansim")
REGIONS = ("KR", "EU", "US")
LANGUAGES = ("ko", "en")
# Bounds that keep a hostile profile from reaching the hardware: the largest Pi camera sensor is
# 4608 x 2592, no camera mode runs above 240 fps, and an exposure beyond 10 s is no scan.
MAX_CAMERA_SIDE_PX = 8192
MAX_FPS = 240.0
MAX_EXPOSURE_US = 10e6
MAX_PROFILE_BYTES = 1 << 20


class ProfileError(DetectorError, ValueError):
    """The profile file is unreadable or a key in it is wrong.

    It names the file (``where``) and its problem by a code and the code's figures (the key,
    the value, the bounds), so a front end says it in the user's language; the English
    message is for developers and logs."""

    def __init__(self, path, message: str, *, problem: str, **params):
        super().__init__(f"{path}: {message}", problem=problem, **params)
        self.where = str(path)


@dataclass(frozen=True)
class DeviceSection:
    language: str
    region: str
    data_dir: str


@dataclass(frozen=True)
class RadioSection:
    gain_db: float | None  # None: automatic gain
    ppm: int
    sample_rate_hz: float
    bands: tuple[str, ...]
    downconverter_lo_hz: float


@dataclass(frozen=True)
class CameraSection:
    width: int
    height: int
    fps: float
    exposure_us: float


@dataclass(frozen=True)
class PinsSection:
    on_axis_ring: int
    off_axis_ring: int
    red_ring: int
    buzzer: int
    vibration: int
    status_led: int
    button_start: int
    button_next: int
    button_mark: int


@dataclass(frozen=True)
class HandheldSection:
    """What an inspection started from the buttons is of: the site this handheld is kept at and
    who inspects with it (the buttons have no keyboard to say so)."""

    site_id: str
    inspector: str
    stalls: int | None  # None: the site's own count


@dataclass(frozen=True)
class Profile:
    device: DeviceSection
    radio: RadioSection
    camera: CameraSection
    pins: PinsSection
    source: str
    handheld: HandheldSection | None = None  # None: no [handheld] table, the buttons are off

    def data_dir(self, on_pi: bool) -> Path:
        """Where logs and evidence live: the profile's choice, else the platform default."""
        if self.device.data_dir:
            return Path(self.device.data_dir).expanduser()
        if on_pi:
            return PI_DATA_DIR
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        return Path(base) / "ansim"


def load_profile(path: str | Path | None = None) -> Profile:
    """Read and validate a profile; ``None`` loads the default shipped with ansim."""
    path = Path(path) if path else DEFAULT_PROFILE_PATH
    try:
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise ProfileError(path, f"larger than {MAX_PROFILE_BYTES} bytes",
                               problem="too_large", limit=MAX_PROFILE_BYTES)
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(path, "no such file", problem="profile_missing") from None
    except OSError as exc:
        raise ProfileError(path, f"cannot read: {exc}", problem="unreadable",
                           reason=os_reason(exc)) from None
    except UnicodeDecodeError:
        raise ProfileError(path, "cannot read: not UTF-8 text", problem="not_utf8") from None
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        raise _not_toml(path, exc) from None
    _refuse_unknown(raw, {"device", "radio", "camera", "pins", "handheld"}, "", path)
    return Profile(
        device=_device(_table(raw, "device", path), path),
        radio=_radio(_table(raw, "radio", path), path),
        camera=_camera(_table(raw, "camera", path), path),
        pins=_pins(_table(raw, "pins", path), path),
        source=str(path),
        handheld=_handheld(_table(raw, "handheld", path), path) if "handheld" in raw else None,
    )


def _not_toml(path, exc: Exception) -> ProfileError:
    """The refusal of a file ``tomllib`` could not read: where it broke, when it says so."""
    message = f"not valid TOML: {str(exc)[:200]}"
    at = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    if at:
        return ProfileError(path, message, problem="profile_not_toml_at", line=int(at[1]),
                            column=int(at[2]))
    return ProfileError(path, message, problem="profile_not_toml")


def _table(raw, name, path) -> dict:
    table = raw.get(name)
    if not isinstance(table, dict):
        raise ProfileError(path, f"[{name}]: missing table", problem="profile_table_missing",
                           table=name)
    return table


def _refuse_unknown(table, allowed, prefix, path):
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ProfileError(path, f"{prefix}{unknown[0]}: unknown key",
                           problem="profile_unknown_key", setting=f"{prefix}{unknown[0]}")


def _get(table, section, key, path, kind, check=None, english="", *, problem=None, **params):
    """``table[key]``, refused unless it is of ``kind`` (``str``, ``int``, ``NUMBER`` or
    ``list``) and passes ``check``: a failed check is said by ``problem`` (a problem code
    whose sentence gets ``setting``, the value and ``params``) and, for developers, ``english``."""
    name = f"{section}.{key}"
    if key not in table:
        raise ProfileError(path, f"{name}: missing", problem="profile_key_missing", setting=name)
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise _wrong_kind(path, name, kind, value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ProfileError(path, f"{name}: must be a finite number, not {value!r}",
                           problem="profile_not_finite", setting=name, value=repr(value))
    if isinstance(value, str) and refused_character(value) is not None:
        raise ProfileError(path, f"{name}: holds the control character "
                           f"{refused_character(value)}", problem="text_control_character",
                           field=name, character=refused_character(value))
    if check is not None and not check(value):
        raise ProfileError(path, f"{name}: {english}, not {_short(value)}", problem=problem,
                           setting=name, value=_short(value), **params)
    return value


#: ``_get``'s kind for a number, integer or not.
NUMBER = (int, float)


def _wrong_kind(path, name, kind, value) -> ProfileError:
    """The refusal of a value of the wrong type: what ``name`` must be, and what it is."""
    given = _short(value)
    if kind is str:
        return ProfileError(path, f"{name}: must be a string, not {given}",
                            problem="profile_not_text", setting=name, value=given)
    if kind is int:
        return ProfileError(path, f"{name}: must be an integer, not {given}",
                            problem="profile_not_integer", setting=name, value=given)
    if kind is list:
        return ProfileError(path, f"{name}: must be a list, not {given}",
                            problem="profile_not_list", setting=name, value=given)
    return ProfileError(path, f"{name}: must be an integer or a number, not {given}",
                        problem="profile_not_number", setting=name, value=given)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _section_keys(cls):
    return {f.name for f in fields(cls)}


def _device(table, path) -> DeviceSection:
    _refuse_unknown(table, _section_keys(DeviceSection), "device.", path)
    return DeviceSection(
        language=_get(table, "device", "language", path, str, lambda v: v in LANGUAGES,
                      f"must be one of {LANGUAGES}", problem="profile_one_of",
                      choices=", ".join(map(repr, LANGUAGES))),
        region=_get(table, "device", "region", path, str, lambda v: v in REGIONS,
                    f"must be one of {REGIONS}", problem="profile_one_of",
                    choices=", ".join(map(repr, REGIONS))),
        data_dir=_get(table, "device", "data_dir", path, str),
    )


def _radio(table, path) -> RadioSection:
    _refuse_unknown(table, _section_keys(RadioSection), "radio.", path)
    gain = table.get("gain_db")
    if gain == "auto":
        gain_db = None
    else:
        gain_db = float(_get(table, "radio", "gain_db", path, NUMBER, lambda v: 0 <= v <= 60,
                             'must be "auto" or a gain from 0 to 60 dB', problem="profile_gain",
                             high=60))
    bands = _get(table, "radio", "bands", path, list,
                 lambda v: v and all(isinstance(b, str) for b in v),
                 "must be a non-empty list of band names", problem="profile_bands")
    return RadioSection(
        gain_db=gain_db,
        ppm=_get(table, "radio", "ppm", path, int, lambda v: -200 <= v <= 200,
                 "must be between -200 and 200", problem="profile_between", low=-200,
                 high=200),
        sample_rate_hz=float(_get(table, "radio", "sample_rate_hz", path, NUMBER,
                                  lambda v: 225_001 <= v <= 3_200_000,
                                  "must be an RTL-SDR rate (225 kHz to 3.2 MHz)",
                                  problem="profile_sample_rate")),
        bands=tuple(bands),
        downconverter_lo_hz=float(_get(table, "radio", "downconverter_lo_hz", path, NUMBER,
                                       lambda v: 0 <= v <= 10e9, "must be 0 or an LO in Hz",
                                       problem="profile_downconverter_lo", high="1e10")),
    )


def _camera(table, path) -> CameraSection:
    _refuse_unknown(table, _section_keys(CameraSection), "camera.", path)
    side = (lambda v: 0 < v <= MAX_CAMERA_SIDE_PX, f"must be 1 to {MAX_CAMERA_SIDE_PX} pixels")
    return CameraSection(
        width=_get(table, "camera", "width", path, int, *side, problem="profile_camera_side",
                   high=MAX_CAMERA_SIDE_PX),
        height=_get(table, "camera", "height", path, int, *side, problem="profile_camera_side",
                    high=MAX_CAMERA_SIDE_PX),
        fps=float(_get(table, "camera", "fps", path, NUMBER, lambda v: 0 < v <= MAX_FPS,
                       f"must be above 0 and at most {MAX_FPS:g}", problem="profile_fps",
                       high=f"{MAX_FPS:g}")),
        exposure_us=float(_get(table, "camera", "exposure_us", path, NUMBER,
                               lambda v: 0 < v <= MAX_EXPOSURE_US,
                               f"must be above 0 and at most {MAX_EXPOSURE_US:g} µs",
                               problem="profile_exposure", high=f"{MAX_EXPOSURE_US:g}")),
    )


def _pins(table, path) -> PinsSection:
    _refuse_unknown(table, _section_keys(PinsSection), "pins.", path)
    values = {
        key: _get(table, "pins", key, path, int, lambda v: 2 <= v <= 27,
                  "must be a BCM GPIO number from 2 to 27", problem="profile_gpio_pin")
        for key in _section_keys(PinsSection)
    }
    seen: dict[int, str] = {}
    for key in sorted(values):
        if values[key] in seen:
            raise ProfileError(path, f"pins.{key}: GPIO {values[key]} is already used by "
                               f"pins.{seen[values[key]]}", problem="profile_gpio_shared",
                               setting=f"pins.{key}", gpio=values[key],
                               other=f"pins.{seen[values[key]]}")
        seen[values[key]] = key
    return PinsSection(**values)


def _handheld(table, path) -> HandheldSection:
    _refuse_unknown(table, _section_keys(HandheldSection), "handheld.", path)
    named = (lambda v: bool(v.strip()), "must not be empty")
    stalls = None
    if "stalls" in table:
        stalls = _get(table, "handheld", "stalls", path, int, lambda v: 1 <= v <= MAX_STALLS,
                      f"must be 1 to {MAX_STALLS} (leave it out for the site's own count)",
                      problem="profile_handheld_stalls", high=MAX_STALLS)
    return HandheldSection(
        site_id=_get(table, "handheld", "site_id", path, str, *named,
                     problem="profile_empty").strip(),
        inspector=_get(table, "handheld", "inspector", path, str, *named,
                       problem="profile_empty").strip(),
        stalls=stalls,
    )
