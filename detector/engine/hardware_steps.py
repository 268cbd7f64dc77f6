"""The engine's steps on a hardware session, real or simulated: an RF sweep with
``detector.engine.sweeping.run_sweep``, an optical scan with ``detector.engine.scanning.run_scan``
and proximity readings with ``detector.engine.proximity.follow``, with the device profile's
settings (the ``StepRunner`` of ``detector.engine.inspection_steps``); and the Wi-Fi survey
(``detector.engine.wifi_survey``) beside the sweep and after each place's scan, accumulated
per stall since the last sweep.

Kept apart from the recording of results so that opening the log to read it never loads the
sensing pipelines (numpy, SciPy, OpenCV).
"""

import itertools
from pathlib import Path

from detector.engine import checklist, place_history
from detector.engine.live_view import SweepView, optics_status
from detector.engine.proximity import follow, follow_wifi
from detector.engine.scanning import run_scan
from detector.engine.sweeping import run_sweep
from detector.engine.wifi_survey import WifiStimulus, stimulus_channel, passive_survey
from rf.baseline import SiteBaseline
from rf.rtlpower import spectrum_csv_text

RF_SWEEP_ZONE = "rf_sweep"
SCAN_FRAMES = 48


class HardwareSteps:
    """Steps on a ``HardwareSession`` (real or simulated) with the device profile's settings."""

    def __init__(self, hardware, profile, *, scratch_dir: Path):
        self.hardware = hardware
        self.profile = profile
        self.scratch_dir = Path(scratch_dir)
        self._wifi_stalls: dict[int, WifiStimulus] = {}
        self._scan_started_s: float | None = None
        self._wifi_channel: int | None = None

    def sweep(self, baseline, on_progress, on_live):
        self.hardware.move_to(RF_SWEEP_ZONE)
        self.scratch_dir.mkdir(parents=True, exist_ok=True)
        radio = self.profile.radio
        view = SweepView()

        def on_hop(hop, done, total):
            on_progress(done / total)
            payload = view.add(hop, done, total)
            if payload is not None:
                on_live(payload)

        return run_sweep(self.hardware.radio, band_names=list(radio.bands),
                         region=self.profile.device.region, baseline=baseline,
                         evidence_dir=self.scratch_dir,
                         downconverter_lo_hz=radio.downconverter_lo_hz, on_hop=on_hop)

    def scan(self, stall: int, zone: str, on_progress, on_live):
        self.hardware.move_to(zone, stall)
        wifi = self.hardware.wifi
        self._scan_started_s = wifi.now_s() if wifi is not None else None
        frames = itertools.count(1)

        def on_frame(frame, live):
            on_progress(next(frames) / SCAN_FRAMES)
            on_live(optics_status(frame, live, SCAN_FRAMES))

        return run_scan(self.hardware.camera, self.hardware.illuminator, n_frames=SCAN_FRAMES,
                        on_frame=on_frame)

    def wifi_passive(self):
        """A passive survey beside the sweep (None without a Wi-Fi capture); a new inspection
        starts here, so the stimulus accumulated for earlier stalls is dropped."""
        self._wifi_stalls.clear()
        if self.hardware.wifi is None:
            return None
        outcome = passive_survey(self.hardware.wifi)
        self._wifi_channel = stimulus_channel(outcome.survey, self.hardware.wifi.channel)
        return outcome

    def wifi_place(self, stall: int, zone: str, on_check=None):
        """The Wi-Fi stimulus at the place just scanned, and the lock-in over the stall. Once
        every checklist place of the stall has been scanned and a transmitter answers, the
        place check follows (``WifiStimulus.check``): the handheld is brought to each
        candidate place in turn (``on_check(place, seconds)`` tells the inspector where to
        point it) and the outcome is the check's."""
        if self.hardware.wifi is None or self._scan_started_s is None:
            return None
        if self._wifi_channel is not None:
            self.hardware.wifi.set_channel(self._wifi_channel)
        stimulus = self._wifi_stalls.get(stall)
        if stimulus is None:
            stimulus = WifiStimulus(self.hardware.wifi, self.hardware.illuminator, seed=stall)
            self._wifi_stalls[stall] = stimulus
        outcome = stimulus.stimulate(stall, zone, self._scan_started_s)
        scanned = {w.place.split(":", 1)[1] for w in stimulus.windows}
        if not scanned.issuperset(checklist.ITEMS):
            return outcome
        checked = stimulus.check(lambda place: self.hardware.move_to(place.split(":", 1)[1],
                                                                     stall),
                                 on_check)
        if checked is None:
            return outcome
        checked.frames = outcome.frames + checked.frames
        return checked

    def spectrum_csv(self, spectrum) -> str:
        return spectrum_csv_text(spectrum)

    def follow(self, freq_hz: float, n_readings: int) -> list:
        readings = follow(self.hardware.radio, freq_hz)
        try:
            return list(itertools.islice(readings, n_readings))
        finally:
            readings.close()  # hands the radio's gain back now, not when collected

    def wifi_follow(self, mac: str, channel: int | None, duration_s: float, on_reading):
        """Readings of one Wi-Fi transmitter's RSSI from where the handheld is, each handed to
        ``on_reading`` as it comes; None without a Wi-Fi capture."""
        if self.hardware.wifi is None:
            return None
        readings = []
        for reading in follow_wifi(self.hardware.wifi, mac, channel=channel,
                                   duration_s=duration_s):
            on_reading(reading)
            readings.append(reading)
        return readings

    def baseline_from_json(self, text: str):
        return SiteBaseline.from_json(text)

    def empty_baseline(self):
        return SiteBaseline.empty()

    def rf_presence(self, baseline, emitters) -> dict:
        return place_history.rf_presence(baseline, emitters)
