"""Wi-Fi traffic analysis: parse radiotap + 802.11 headers, inventory every transmitter, tell
cameras and video streams from the rest, and test each one for a response to the illuminator's
light (``rf.wifi.analysis.analyze`` composes them).

Pure like the rest of ``rf``: raw frame bytes and timestamps in, dataclasses out. Captures are
read and written by ``hardware.wifi``; nothing here touches a device.
"""
