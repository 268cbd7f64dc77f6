"""The ``ansim`` command line: the one composition root.

It may import every layer (``detector``, ``web``, ``bench``, ``hardware``, ``rf``, ``optics``)
and nothing imports it. Each command imports what it runs inside its own function, so
``ansim --help`` and light commands start fast.
"""
