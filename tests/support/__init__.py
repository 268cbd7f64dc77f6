"""Helpers shared by tests: a real PostgreSQL server (``postgres``) and outcome doubles for the
inspection engine (``inspection_doubles``)."""
