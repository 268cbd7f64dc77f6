"""The handheld's own Wi-Fi for phones: a NetworkManager access point whose password is made on
the device, kept on its data partition, and shown on its screen with a QR code to join.

There is no default password: the first boot draws one from ``secrets`` (16 characters from an
alphabet without look-alikes, in groups of four: about 79 bits), so no two devices share one
and an image carries none. Every boot renders the NetworkManager keyfile into
``/run/NetworkManager/system-connections`` (NetworkManager reads keyfiles there too), so the
profile also works under a read-only root, and only the password file itself persists.

Run by ``ansim-hotspot.service`` as root, with the screen (tty1) as its output::

    python -m detector.appliance.hotspot up --profile /etc/ansim/profile.toml --screen-dir /run/ansim
    python -m detector.appliance.hotspot new-password      # then reboot, or run "up" again

With ``--screen-dir`` it stays and keeps the screen current: while no admin exists the
dashboard publishes the one-time setup code there (``detector.appliance.screen``) and the
screen shows it under the network's name and password; once setup is claimed it is gone from
the screen too.

``--root DIR`` writes under DIR and runs no ``nmcli`` (for tests and image building).
"""

import argparse
import io
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import segno
from segno import helpers

from detector import i18n
from detector.appliance.profile import ProfileError, load_profile
from detector.appliance.screen import read_setup_code
from detector.errors import DetectorError

CONNECTION_ID = "ansim-hotspot"
ADDRESS = "10.42.0.1"
DASHBOARD_URL = f"http://{ADDRESS}"
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
PASSWORD_GROUPS, PASSWORD_GROUP_LEN = 4, 4
STATE_DIR = Path("var/lib/ansim/hotspot")  # relative to the root
KEYFILE = Path("run/NetworkManager/system-connections") / f"{CONNECTION_ID}.nmconnection"
SERIAL_PATHS = (Path("sys/firmware/devicetree/base/serial-number"), Path("etc/machine-id"))
#: How often the screen looks for a setup code appearing or going: a person reads the code
#: after the dashboard has started (seconds later), and a stat of a file in RAM costs nothing.
SCREEN_POLL_S = 1.0


class HotspotError(DetectorError, RuntimeError):
    """The hotspot's password file or the device's serial number cannot be used; it names the
    file (``where``) and its problem by a code, said in the screen's language."""

    def __init__(self, path, message: str, *, problem: str, **params):
        super().__init__(f"{path}: {message}", problem=problem, **params)
        self.where = str(path)


def make_password() -> str:
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LEN))
              for _ in range(PASSWORD_GROUPS))
    return "-".join(groups)


def device_ssid(root: Path) -> str:
    """``ansim-`` and the last four hex digits of the Pi's serial (else of the machine id)."""
    for relative in SERIAL_PATHS:
        try:
            serial = (root / relative).read_text(errors="replace").strip("\x00\n ")
        except OSError:
            continue
        if len(serial) >= 4:
            return f"ansim-{serial[-4:].lower()}"
    raise HotspotError(root / SERIAL_PATHS[0], "no serial number to name the network after",
                       problem="hotspot_no_serial")


def load_or_create_password(state_dir: Path, renew: bool = False) -> str:
    """The device's hotspot password, made (mode 0600, root only) on first use or on ``renew``."""
    path = state_dir / "psk"
    if path.exists() and not renew:
        password = path.read_text(encoding="ascii", errors="replace").strip()
        if not 8 <= len(password) <= 63 or not password.isprintable() or not password.isascii():
            raise HotspotError(path, "not a WPA2 passphrase (8-63 printable ASCII characters); "
                               "run 'python -m detector.appliance.hotspot new-password'",
                               problem="hotspot_bad_password",
                               command="python -m detector.appliance.hotspot new-password")
        return password
    state_dir.mkdir(parents=True, exist_ok=True)
    state_dir.chmod(0o700)
    password = make_password()
    partial = path.with_suffix(".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(password + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)  # a power cut leaves the old password or the new, never half
    return password


def keyfile_text(ssid: str, password: str) -> str:
    """The NetworkManager keyfile for a WPA2 access point sharing nothing but itself."""
    connection_uuid = uuid.uuid5(uuid.NAMESPACE_DNS, f"{ssid}.hotspot.ansim")
    return "\n".join([
        "[connection]",
        f"id={CONNECTION_ID}",
        f"uuid={connection_uuid}",
        "type=wifi",
        "interface-name=wlan0",
        "autoconnect=true",
        "autoconnect-priority=100",
        "",
        "[wifi]",
        "mode=ap",
        "band=bg",
        f"ssid={ssid}",
        "",
        "[wifi-security]",
        "key-mgmt=wpa-psk",
        "proto=rsn",
        "pairwise=ccmp",
        "group=ccmp",
        "pmf=1",  # disabled: the Pi's brcmfmac AP and many phones fail to associate with PMF
        f"psk={password}",
        "",
        "[ipv4]",
        "method=shared",
        f"address1={ADDRESS}/24",
        "",
        "[ipv6]",
        "method=disabled",
        "",
    ])


def wifi_qr(ssid: str, password: str) -> segno.QRCode:
    """The standard ``WIFI:`` QR code phones' cameras offer to join."""
    return helpers.make_wifi(ssid=ssid, password=password, security="WPA")


#: The Linux console's fonts hold at most 512 glyphs and no Hangul, so tty1 is written in
#: English whatever the profile says; the dashboard phones open is in the profile's language.
CONSOLE_LANGUAGE = "en"


def screen_text(ssid: str, password: str, setup_code: str | None = None) -> str:
    """What tty1 shows: how to join (in a language the console can draw), the QR code, and,
    while no admin exists, the one-time setup code that creates the first one."""
    qr = io.StringIO()
    wifi_qr(ssid, password).terminal(out=qr, compact=True)
    lang = CONSOLE_LANGUAGE
    lines = [
        i18n.t("device.hotspot.title", lang),
        i18n.t("device.hotspot.network", lang, ssid=ssid),
        i18n.t("device.hotspot.password", lang, password=password),
        i18n.t("device.hotspot.open", lang, url=DASHBOARD_URL),
    ]
    if setup_code is not None:
        lines += ["", i18n.t("device.setup.code", lang, code=setup_code),
                  i18n.t("device.setup.where", lang, url=f"{DASHBOARD_URL}/setup")]
    return "\033[2J\033[H" + "\n".join(lines) + "\n\n" + qr.getvalue()


def screens(ssid: str, password: str, codes: Iterable[str | None]) -> Iterator[str]:
    """The screens to draw as the setup code reads ``codes`` over time: one at first, then
    one each time the code appears, changes (the dashboard restarted) or goes (claimed)."""
    shown = object()
    for code in codes:
        if code != shown:
            shown = code
            yield screen_text(ssid, password, code)


def _setup_code_readings(screen_dir: Path) -> Iterator[str | None]:
    while True:
        yield read_setup_code(screen_dir)
        time.sleep(SCREEN_POLL_S)


def write_keyfile(root: Path, ssid: str, password: str) -> Path:
    path = root / KEYFILE
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(keyfile_text(ssid, password))
    os.replace(partial, path)
    return path


def bring_up(root: Path, renew: bool = False, run=subprocess.run) -> tuple[str, str]:
    """Make sure the password exists, render the profile and, on the live system, start it."""
    ssid = device_ssid(root)
    password = load_or_create_password(root / STATE_DIR, renew=renew)
    write_keyfile(root, ssid, password)
    if root == Path("/"):
        run(["nmcli", "connection", "load", str(root / KEYFILE)], check=True)
        run(["nmcli", "connection", "up", CONNECTION_ID], check=True)
    return ssid, password


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m detector.appliance.hotspot")
    parser.add_argument("action", choices=("up", "new-password"))
    parser.add_argument("--root", default="/", help="write under this directory, run no nmcli")
    parser.add_argument("--profile", help="device profile, for the screen's language")
    parser.add_argument("--screen-dir", help="stay, showing the dashboard's setup code from "
                                             "this directory until setup is claimed")
    args = parser.parse_args(argv)
    try:
        i18n.set_language(load_profile(args.profile).device.language if args.profile else None)
        ssid, password = bring_up(Path(args.root), renew=args.action == "new-password")
    except (HotspotError, ProfileError, OSError, subprocess.CalledProcessError) as exc:
        print(i18n.describe_error(exc), file=sys.stderr)
        return 1
    if args.screen_dir is None:
        print(screen_text(ssid, password), flush=True)
        return 0
    for text in screens(ssid, password, _setup_code_readings(Path(args.screen_dir))):
        print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
