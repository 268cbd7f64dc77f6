"""Where the stimulus phase parks the Wi-Fi adapter: on the likely camera's channel, not the
busiest sender's."""

from types import SimpleNamespace

from detector.engine.wifi_survey import stimulus_channel


def _report(kind: str, channel: int | None, up_bytes_per_s: float):
    return SimpleNamespace(kind=SimpleNamespace(kind=kind),
                           transmitter=SimpleNamespace(channel=channel,
                                                       up_bytes_per_s=up_bytes_per_s))


def test_a_camera_on_its_own_channel_wins_over_a_louder_video_call():
    survey = SimpleNamespace(transmitters=[
        _report("video_stream", 6, 180_000.0),  # a passer's video call on the building's AP
        _report("camera", 11, 90_000.0),  # a camera that is its own access point
        _report("other", 6, 400_000.0),
    ])
    assert stimulus_channel(survey, default=1) == 11


def test_without_a_camera_the_video_stream_then_the_busiest_sender():
    video = SimpleNamespace(transmitters=[_report("other", 1, 500_000.0),
                                          _report("video_stream", 11, 100_000.0)])
    assert stimulus_channel(video, default=6) == 11
    others = SimpleNamespace(transmitters=[_report("other", 1, 5_000.0),
                                           _report("other", 11, 50_000.0),
                                           _report("ap", None, 90_000.0)])
    assert stimulus_channel(others, default=6) == 11
    assert stimulus_channel(SimpleNamespace(transmitters=[]), default=6) == 6
