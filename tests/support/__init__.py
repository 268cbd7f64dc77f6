"""Helpers shared by tests: a real PostgreSQL server (``postgres``), outcome doubles for the
inspection engine (``inspection_doubles``) and the process the crash test kills
(``crash_worker``)."""
