"""The hub's fixtures (a real PostgreSQL, the hub served by waitress, enrolled devices) for the
attack tests of the hub's findings."""

from tests.hub.conftest import enrolled, hub, make_device, served  # noqa: F401 - fixtures
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401 - fixtures
