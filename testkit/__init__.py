"""What the tests and the benchmarks share that is not part of ansim itself: a throwaway
PostgreSQL server (``testkit.postgres``) for the hub's tests and its benchmark, and the
device's nginx front door run on loopback (``testkit.front_door``) with the slow clients and
phones that load it (``testkit.loadgen``), for the attack tests and ``ansim bench web``.

Seeded scene and signal generators are simulation, so they live with the simulated hardware
(``hardware/sim/``). ``testkit`` imports nothing of ansim; tests and ``bench`` may import it,
ansim's own packages never do.
"""
