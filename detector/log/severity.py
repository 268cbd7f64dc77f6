"""Alert severities, weakest first: the one order every part of ansim ranks alerts by.

It lives with the log because a signed record carries each alert's severity and its index
columns keep the worst; the engine's verdict rule and fusion rank by the same order.
"""

SEVERITIES = ("info", "low", "medium", "high", "critical")
