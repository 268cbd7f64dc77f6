"""Backend selection on this machine (no dongle, no Pi camera, no GPIO) and the probes under it."""


import numpy as np
import pytest

from detector.appliance.backends import SIMULATED, open_hardware
from detector.appliance.profile import load_profile
from hardware.camera import Camera
from hardware.gpio.pins import running_on_pi
from hardware.probe import rtlsdr_dongles, usb_devices



def make_usb_device(root, name, vendor, product_id, product=""):
    device = root / name
    device.mkdir(parents=True)
    (device / "idVendor").write_text(vendor + "\n")
    (device / "idProduct").write_text(product_id + "\n")
    if product:
        (device / "product").write_text(product + "\n")


def test_a_dongle_is_found_by_its_usb_ids_in_sysfs(tmp_path):
    make_usb_device(tmp_path, "1-1", "1d6b", "0002", "EHCI Host Controller")
    make_usb_device(tmp_path, "1-1.3", "0bda", "2838", "RTL2838UHIDIR")
    (tmp_path / "1-1:1.0").mkdir()  # an interface entry: no ids of its own
    assert [d.usb_id for d in usb_devices(tmp_path)] == ["1d6b:0002", "0bda:2838"]
    [dongle] = rtlsdr_dongles(tmp_path)
    assert (dongle.sysfs_name, dongle.product) == ("1-1.3", "RTL2838UHIDIR")


def test_no_usb_in_sysfs_means_no_dongle(tmp_path):
    assert rtlsdr_dongles(tmp_path / "missing") == []


def test_with_nothing_present_every_part_falls_back_to_simulation_saying_why():
    if rtlsdr_dongles() or running_on_pi():
        pytest.skip("this machine has real hardware")
    session = open_hardware(load_profile(), simulate=False, seed=3)
    try:
        assert [(n.part, n.backend, n.key) for n in session.notes[:3]] == [
            ("radio", SIMULATED, "hw.radio.no_usb"),
            ("camera", SIMULATED, "hw.camera.not_pi"),
            ("gpio", SIMULATED, "hw.gpio.not_pi"),
        ]
        (wifi,) = session.notes[3:]  # no monitor-mode adapter here: the Wi-Fi world instead
        assert (wifi.part, wifi.backend) == ("wifi", SIMULATED) and wifi.key.startswith("hw.wifi.")
        assert "simulated radio" in session.notes[0].text("en")
        assert session.handheld is not None and session.handheld.scene is not None
        assert session.illuminator.clock is session.clock is session.handheld.clock
    finally:
        session.close()


def test_simulation_forced_simulates_every_part_and_the_parts_work(restroom):
    session = open_hardware(load_profile(), simulate=True, scene=restroom, seed=1)
    try:
        assert all(n.backend == SIMULATED and n.key.endswith(".forced") for n in session.notes)
        assert session.simulated_parts == ["radio", "camera", "gpio", "wifi"]
        assert session.handheld.scene is restroom
        session.move_to("paper_holder")
        assert session.handheld.zone == "paper_holder"
        session.radio.tune(1_200_000_000)
        iq = session.radio.read(4096)
        assert iq.dtype == np.complex64 and iq.shape == (4096,)
        assert isinstance(session.camera, Camera)
        session.illuminator.set_rings(on_axis=True, off_axis=False)
        frame = session.camera.read_frame()
        assert frame.on_axis > 0 and frame.off_axis == 0
    finally:
        session.close()



def test_the_illuminator_drives_all_three_rings_on_the_profile_pins():
    from detector.appliance.backends import choose_pin_factory, make_illuminator
    from hardware.clock import SimulatedClock

    profile = load_profile()
    factory, _ = choose_pin_factory(simulate=True)
    illuminator = make_illuminator(profile, factory, SimulatedClock())
    try:
        illuminator.set_rings(on_axis=False, off_axis=False, red=True)
        assert factory.pin(profile.pins.red_ring).state > 0
        assert factory.pin(profile.pins.on_axis_ring).state == 0
    finally:
        illuminator.close()
