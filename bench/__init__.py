"""Benchmarks that print measured figures (``ansim bench rf|optics|log|web``)."""
