"""The device profile: one TOML file saying how this handheld is wired and tuned.

Loaded and validated once, at the edge (the CLI or the dashboard's start), into frozen
dataclasses; everything below receives plain values. A wrong file is refused with an error that
names the key and the problem, e.g. ``radio.gain_db: must be a number or "auto", not "loud"``.
"""

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from detector.errors import DetectorError

DEFAULT_PROFILE_PATH = Path(__file__).with_name("default_profile.toml")
PI_DATA_DIR = Path("/var/lib/ansim")
REGIONS = ("KR", "EU", "US")
LANGUAGES = ("ko", "en")


class ProfileError(DetectorError, ValueError):
    """The profile file is unreadable or a key in it is wrong."""


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
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    _refuse_unknown(raw, {"device", "radio", "camera", "pins", "handheld"}, "", path)
    return Profile(
        device=_device(_table(raw, "device", path), path),
        radio=_radio(_table(raw, "radio", path), path),
        camera=_camera(_table(raw, "camera", path), path),
        pins=_pins(_table(raw, "pins", path), path),
        source=str(path),
        handheld=_handheld(_table(raw, "handheld", path), path) if "handheld" in raw else None,
    )


def _table(raw, name, path) -> dict:
    table = raw.get(name)
    if not isinstance(table, dict):
        raise ProfileError(f"{path}: [{name}]: missing table")
    return table


def _refuse_unknown(table, allowed, prefix, path):
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ProfileError(f"{path}: {prefix}{unknown[0]}: unknown key")


def _get(table, section, key, path, kind, check=None, problem=""):
    name = f"{section}.{key}"
    if key not in table:
        raise ProfileError(f"{path}: {name}: missing")
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ProfileError(f"{path}: {name}: must be {_kind_name(kind)}, not {value!r}")
    if check is not None and not check(value):
        raise ProfileError(f"{path}: {name}: {problem}, not {value!r}")
    return value


def _kind_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "an integer", float: "a number", str: "a string", list: "a list"}
    return " or ".join(names[k] for k in kinds if k in names)


def _section_keys(cls):
    return {f.name for f in fields(cls)}


def _device(table, path) -> DeviceSection:
    _refuse_unknown(table, _section_keys(DeviceSection), "device.", path)
    return DeviceSection(
        language=_get(table, "device", "language", path, str, lambda v: v in LANGUAGES,
                      f"must be one of {LANGUAGES}"),
        region=_get(table, "device", "region", path, str, lambda v: v in REGIONS,
                    f"must be one of {REGIONS}"),
        data_dir=_get(table, "device", "data_dir", path, str),
    )


def _radio(table, path) -> RadioSection:
    _refuse_unknown(table, _section_keys(RadioSection), "radio.", path)
    gain = table.get("gain_db")
    if gain == "auto":
        gain_db = None
    else:
        gain_db = float(_get(table, "radio", "gain_db", path, (int, float), lambda v: 0 <= v <= 60,
                             'must be "auto" or a gain from 0 to 60 dB'))
    bands = _get(table, "radio", "bands", path, list,
                 lambda v: v and all(isinstance(b, str) for b in v),
                 "must be a non-empty list of band names")
    return RadioSection(
        gain_db=gain_db,
        ppm=_get(table, "radio", "ppm", path, int, lambda v: -200 <= v <= 200,
                 "must be between -200 and 200"),
        sample_rate_hz=float(_get(table, "radio", "sample_rate_hz", path, (int, float),
                                  lambda v: 225_001 <= v <= 3_200_000,
                                  "must be an RTL-SDR rate (225 kHz to 3.2 MHz)")),
        bands=tuple(bands),
        downconverter_lo_hz=float(_get(table, "radio", "downconverter_lo_hz", path, (int, float),
                                       lambda v: 0 <= v <= 10e9, "must be 0 or an LO in Hz")),
    )


def _camera(table, path) -> CameraSection:
    _refuse_unknown(table, _section_keys(CameraSection), "camera.", path)
    positive = (lambda v: v > 0, "must be positive")
    return CameraSection(
        width=_get(table, "camera", "width", path, int, *positive),
        height=_get(table, "camera", "height", path, int, *positive),
        fps=float(_get(table, "camera", "fps", path, (int, float), *positive)),
        exposure_us=float(_get(table, "camera", "exposure_us", path, (int, float), *positive)),
    )


def _pins(table, path) -> PinsSection:
    _refuse_unknown(table, _section_keys(PinsSection), "pins.", path)
    values = {
        key: _get(table, "pins", key, path, int, lambda v: 2 <= v <= 27,
                  "must be a BCM GPIO number from 2 to 27")
        for key in _section_keys(PinsSection)
    }
    seen: dict[int, str] = {}
    for key in sorted(values):
        if values[key] in seen:
            raise ProfileError(f"{path}: pins.{key}: GPIO {values[key]} is already used by "
                               f"pins.{seen[values[key]]}")
        seen[values[key]] = key
    return PinsSection(**values)


def _handheld(table, path) -> HandheldSection:
    _refuse_unknown(table, _section_keys(HandheldSection), "handheld.", path)
    named = (lambda v: bool(v.strip()), "must not be empty")
    stalls = None
    if "stalls" in table:
        stalls = _get(table, "handheld", "stalls", path, int, lambda v: v >= 1,
                      "must be at least 1 (leave it out for the site's own count)")
    return HandheldSection(
        site_id=_get(table, "handheld", "site_id", path, str, *named).strip(),
        inspector=_get(table, "handheld", "inspector", path, str, *named).strip(),
        stalls=stalls,
    )
