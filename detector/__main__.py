"""``python -m detector`` is the ``ansim`` command."""

from detector.cli import main

raise SystemExit(main())
