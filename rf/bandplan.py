"""Known licensed services by region: a signal that sits in one of these bands and carries no
video is most likely that service (kind ``broadcast``), not a spy camera.

Coarse on purpose: the allocations are wide and national plans differ in detail; the point is to
tell an inspector "that is FM radio / T-DMB / TV / a phone network", never to clear a video call.
"""

from dataclasses import dataclass

REGIONS = ("KR", "EU", "US")


@dataclass(frozen=True)
class Service:
    name: str
    lo_hz: float
    hi_hz: float


_COMMON = (
    Service("FM radio", 87.5e6, 108e6),
)
BAND_PLANS = {
    "KR": _COMMON + (
        Service("T-DMB", 174e6, 216e6),
        Service("digital TV", 470e6, 698e6),
        Service("LTE 800 downlink", 869e6, 894e6),
        Service("LTE 900 downlink", 950e6, 960e6),
        Service("LTE 1800 downlink", 1805e6, 1880e6),
    ),
    "EU": _COMMON + (
        Service("DAB", 174e6, 240e6),
        Service("digital TV", 470e6, 694e6),
        Service("LTE 800 downlink", 791e6, 821e6),
        Service("GSM/LTE 900 downlink", 925e6, 960e6),
        Service("LTE 1800 downlink", 1805e6, 1880e6),
    ),
    "US": _COMMON + (
        Service("digital TV (VHF)", 174e6, 216e6),
        Service("digital TV (UHF)", 470e6, 608e6),
        Service("LTE 700 downlink", 728e6, 768e6),
        Service("cellular 850 downlink", 869e6, 894e6),
    ),
}


def service_at(freq_hz: float, region: str) -> Service | None:
    """The known service whose band holds ``freq_hz`` in ``region``, or None."""
    if region not in BAND_PLANS:
        raise ValueError(f"unknown region {region!r}; regions are {REGIONS}")
    for service in BAND_PLANS[region]:
        if service.lo_hz <= freq_hz <= service.hi_hz:
            return service
    return None
