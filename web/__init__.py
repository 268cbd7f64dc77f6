"""The Flask dashboard: live alerts for volunteers' phones, the inspection workflow for
inspectors, log review for supervisors, and the same app as the city-wide hub.

Talks to ``detector`` only, never to ``hardware``; every asset it serves is vendored here
(the device has no internet).
"""
