"""What every command needs, resolved once from the common options: the profile, the
language, the data directory, and whether to simulate."""

import os
from dataclasses import dataclass
from pathlib import Path

from detector import i18n
from detector.appliance.profile import Profile, load_profile
from hardware.gpio.pins import running_on_pi


@dataclass(frozen=True)
class Context:
    profile: Profile
    data_dir: Path
    simulate: bool
    json: bool
    on_pi: bool


def default_data_dir_text() -> str:
    return "/var/lib/ansim" if running_on_pi() else "~/.local/share/ansim"


def context_from_args(args) -> Context:
    """Load the profile (refusing a bad one) and settle the language and data directory."""
    profile = load_profile(args.profile)
    if not args.lang:
        i18n.set_language(os.environ.get("ANSIM_LANG") or profile.device.language)
    on_pi = running_on_pi()
    data_dir = Path(args.data).expanduser() if args.data else profile.data_dir(on_pi)
    return Context(profile=profile, data_dir=data_dir, simulate=args.simulate, json=args.json,
                   on_pi=on_pi)
