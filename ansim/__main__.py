"""``python -m ansim`` is the ``ansim`` command."""

from ansim.cli import main

raise SystemExit(main())
