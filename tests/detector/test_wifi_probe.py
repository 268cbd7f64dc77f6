"""The Wi-Fi adapter probe and ``ansim doctor``'s check, on sysfs trees laid out as the kernel
lays them out (the real adapter is the one part this machine lacks)."""

from pathlib import Path

from detector.appliance.doctor import OK, WARN, check_wifi_adapter
from hardware.wifi.probe import survey_adapter, wifi_interfaces


def _interface(root: Path, name: str, driver: str, kind: int, bus: str):
    device = root / "devices" / bus / name
    (device / "driver_dir").mkdir(parents=True)
    drivers = root / "bus" / driver
    drivers.mkdir(parents=True, exist_ok=True)
    (device / "driver").symlink_to(drivers)
    net = root / "class" / "net" / name
    net.mkdir(parents=True)
    (net / "phy80211").mkdir()
    (net / "type").write_text(f"{kind}\n")
    (net / "device").symlink_to(device)
    return root / "class" / "net"


def test_the_usb_adapter_in_monitor_mode_is_chosen_over_the_onboard_wifi(tmp_path):
    _interface(tmp_path, "wlan0", "brcmfmac", 1, "platform/soc/mmc1")
    net = _interface(tmp_path, "wlan-mon", "mt7921u", 803, "platform/usb/1-1.2")
    adapter = survey_adapter(wifi_interfaces(net))
    assert (adapter.name, adapter.driver, adapter.monitor, adapter.usb) == (
        "wlan-mon", "mt7921u", True, True)
    assert check_wifi_adapter(net).status == OK


def test_doctor_says_how_to_fix_an_adapter_out_of_monitor_mode_or_missing(tmp_path):
    net = _interface(tmp_path, "wlan1", "mt76x2u", 1, "platform/usb/1-1.3")
    check = check_wifi_adapter(net)
    assert check.status == WARN and "set type monitor" in check.fix("en")
    assert "wlan1" in check.detail("ko")
    _interface(tmp_path / "pi", "wlan0", "brcmfmac", 1, "platform/soc/mmc1")
    missing = check_wifi_adapter(tmp_path / "pi" / "class" / "net")
    assert missing.status == WARN and "MT7612U" in missing.fix("en")
