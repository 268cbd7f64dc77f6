"""Wi-Fi: 802.11 frames with radiotap metadata from a monitor-mode adapter, a capture file or
the simulated restroom.

- ``pcapfile``: pcap and pcapng files of raw 802.11 frames (link types 105 and 127), read and
  written with scapy, with clear errors for files that are not captures or are corrupt.
- ``errors``: the exceptions, all ``hardware.errors.RecordingError``.
- The simulated Wi-Fi world lives in ``hardware.sim.wifi_world``.
"""
