"""The radio side of the default stall: the hidden camera's video transmitter, if any, and the
ambient signals of a Korean city (FM broadcast, T-DMB, digital TV, LTE, a 433 MHz sensor).

Ambient transmitters are far away behind walls, so their received power hardly changes as the
handheld moves; the hidden camera is in the stall, so its power follows the handheld's distance.
"""

import numpy as np

from hardware.sim.scene import RfEmitter

_FAR_AWAY_M = np.array([3_000.0, 30.0, 2_000.0])


def default_emitters(rng, *, hidden_camera_at_m=None, camera_freq_hz=1.2e9, video_standard="PAL"):
    """The emitters of the default stall; ``hidden_camera_at_m=None`` leaves the camera out."""
    emitters = [
        RfEmitter("FM broadcast 95.9 MHz", 95.9e6, 70.0, _FAR_AWAY_M, "fm_broadcast", 200e3,
                  wall_loss_db=25.0),
        RfEmitter("FM broadcast 107.7 MHz", 107.7e6, 68.0, _FAR_AWAY_M * 1.3, "fm_broadcast",
                  200e3, wall_loss_db=25.0),
        RfEmitter("T-DMB 183 MHz", 183.008e6, 63.0, _FAR_AWAY_M * 0.8, "ofdm", 1.536e6,
                  wall_loss_db=25.0),
        RfEmitter("DTV 575 MHz", 575e6, 75.0, _FAR_AWAY_M * 1.5, "ofdm", 5.6e6, wall_loss_db=30.0),
        RfEmitter("LTE 874 MHz", 874e6, 60.0, _FAR_AWAY_M * 0.2, "ofdm", 10e6, wall_loss_db=20.0),
        RfEmitter("433.92 MHz sensor", 433.92e6, 10.0, np.array([6.0, 2.0, 4.0]), "burst", 50e3,
                  duty_cycle=0.05, wall_loss_db=10.0),
    ]
    if hidden_camera_at_m is not None:
        jitter_hz = float(rng.uniform(-2e6, 2e6))  # cheap modules are off their nominal channel
        emitters.append(
            RfEmitter("hidden camera video transmitter", camera_freq_hz + jitter_hz, 13.0,
                      np.asarray(hidden_camera_at_m, dtype=float), "video_fm", 18e6,
                      video_standard=video_standard, is_hidden_camera=True)
        )
    return emitters
