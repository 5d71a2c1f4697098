"""`python -m routing_otel.emulator --port 8787`: run the emulator until interrupted."""

from __future__ import annotations

import sys

from routing_otel.emulator import main

if __name__ == "__main__":
    sys.exit(main())
