"""The sub-commands of ``ansim``, one module each, in the order ``--help`` lists them."""

from ansim.cli.commands import (
                                   bench,
                                   doctor,
                                   hub,
                                   inspect,
                                   log,
                                   optics,
                                   rf,
                                   scan,
                                   serve,
                                   sites,
                                   sweep,
)

ALL = (doctor, inspect, sweep, scan, rf, optics, log, sites, serve, hub, bench)
