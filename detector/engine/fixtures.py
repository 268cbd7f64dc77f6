"""Known optical fixtures per site: the restroom's own steady lights, remembered by place.

A flush sensor's LED glows in the LED-off frames just as a night-vision camera's LEDs do, so
the optical scan reports it as an ``ir_emitter`` alert at every visit. When an inspector
dismisses such an alert *as a fixture* (``InspectionService.dismiss_alert(...,
as_fixture=True)``) and the inspection is signed off, the site remembers a fixture at that stall
and zone, pointing to the signed record that says who marked it and why. Later scans of that
place carry the site's fixtures there (``fixture_refs``), and fusion reports as many IR glows as
there are fixtures as information (see ``detector.engine.fusion``). Only IR glows: a lens is never a
fixture. Supervisors list and remove a site's fixtures with ``ansim sites fixtures``.

These are the site's working data, like the RF baseline: the signed records hold the history.
"""

from dataclasses import asdict, dataclass

from sqlalchemy import select

from detector.errors import DetectorError, NotFound
from detector.log.storage.models import Site, SiteFixture

#: The only alert type that can be a fixture: a steady light, never a lens.
FIXTURE_ALERT_TYPE = "ir_emitter"


class FixtureError(DetectorError, ValueError):
    """A fixture that cannot be made, listed or removed; the message says why."""


class FixtureNotFound(FixtureError, NotFound):
    """No site, or no fixture of the site, has this id."""


@dataclass(frozen=True)
class Fixture:
    id: int
    site_id: str
    stall: int
    zone: str
    reason: str
    marked_by: str
    marked_at: str
    record_id: str

    def to_dict(self) -> dict:
        return asdict(self)

    def ref(self) -> dict:
        """What a scan's result keeps of the fixture (and so the signed record)."""
        return {"id": self.id, "reason": self.reason, "marked_by": self.marked_by,
                "marked_at": self.marked_at, "record_id": self.record_id}


def _as_fixture(row: SiteFixture) -> Fixture:
    return Fixture(row.id, row.site_id, row.stall, row.zone, row.reason, row.marked_by,
                   row.marked_at, row.record_id)


def fixture_refs(session, site_id: str, stall: int, zone: str) -> list[dict]:
    """The site's fixtures at one place, oldest first, as a scan's result records them."""
    rows = session.scalars(select(SiteFixture).where(
        SiteFixture.site_id == site_id, SiteFixture.stall == stall, SiteFixture.zone == zone)
        .order_by(SiteFixture.id))
    return [_as_fixture(r).ref() for r in rows]


def can_be_fixture(alert: dict) -> bool:
    """An IR glow that is not already a known fixture."""
    return alert["type"] == FIXTURE_ALERT_TYPE and not alert.get("fixture")


def remember_dismissed(session, site_id: str, alerts: list[dict], record_id: str) -> None:
    """Add a fixture for every alert of a signed-off inspection (record ``record_id``) that an
    inspector dismissed as one and that is still an IR glow (a rescan may have changed it)."""
    for alert in alerts:
        dismissal = alert.get("dismissed") or {}
        if dismissal.get("as_fixture") and can_be_fixture(alert):
            session.add(SiteFixture(site_id=site_id, stall=alert["stall"], zone=alert["zone"],
                                    reason=dismissal["reason"], marked_by=dismissal["by"],
                                    marked_at=dismissal["at"], record_id=record_id,
                                    alert_id=alert["id"]))


def list_fixtures(store, site_id: str) -> list[Fixture]:
    with store.read() as session:
        _site(session, site_id)
        rows = session.scalars(select(SiteFixture).where(SiteFixture.site_id == site_id)
                               .order_by(SiteFixture.stall, SiteFixture.zone, SiteFixture.id))
        return [_as_fixture(r) for r in rows]


def remove_fixture(store, site_id: str, fixture_id: int) -> Fixture:
    """Forget one fixture (the light was replaced, or it was never a fixture): glows at its
    place are alerts again. The records that marked it keep saying so."""
    with store.write() as session:
        _site(session, site_id)
        row = session.get(SiteFixture, fixture_id)
        if row is None or row.site_id != site_id:
            raise FixtureNotFound(f"site {site_id!r} has no fixture {fixture_id}",
                                  problem="fixture_not_found", site=site_id,
                                  fixture=fixture_id)
        removed = _as_fixture(row)
        session.delete(row)
    return removed


def _site(session, site_id: str) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise FixtureNotFound(f"no site {site_id!r}", problem="site_not_found", site=site_id)
    return site
