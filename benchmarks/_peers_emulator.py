"""The emulator of benchmarks/peers.py, in a process of its own (its CPU is not the client's).

    python _peers_emulator.py MODE    # prints the base URL, serves until stdin closes

Modes, all with 500-token answers (``max_tokens`` makes them shorter) and no routing delay:
``coalesced``: no pacing, so frames are written back to back and a read takes many of them;
``paced``: a frame every millisecond, flushed alone, so a client keeping up reads one per read
(a bare httpx2 client read 502 frames in 450 reads here; at 4,000 frames/s the emulator
fell behind and sent about 4 per write);
``slow``: a frame every 50 ms, to hold streams open mid-body.
"""

from __future__ import annotations

import sys

from routing_otel.emulator import Emulator, EmulatorConfig

TOKENS = 500
MODES = {
    "coalesced": EmulatorConfig.instant(response_tokens=(TOKENS, TOKENS)),
    "paced": EmulatorConfig.instant(response_tokens=(TOKENS, TOKENS), tokens_per_s=1000),
    "slow": EmulatorConfig.instant(response_tokens=(TOKENS, TOKENS), tokens_per_s=20),
}


def main(argv: list[str]) -> int:
    """Serve one emulator until stdin reaches its end."""
    with Emulator(MODES[argv[0]]) as emulator:
        print(emulator.llm_base_url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
