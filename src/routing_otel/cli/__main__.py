"""``python -m routing_otel.cli``: the same as the ``routing-otel`` command."""

import sys

from routing_otel.cli import main

sys.exit(main())
