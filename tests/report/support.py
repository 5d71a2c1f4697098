"""Real parts for the report's tests: demo processes serving metrics, a real Prometheus.

Each demo runs as its own process (``routing-otel demo --prometheus-port P --linger``), as
an application would; the Debian ``prometheus`` binary scrapes them every second, with the
committed rule files loaded, from a temporary data directory. Waits are bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from dashboards import lab
from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from pathlib import Path

DEMO = ("--concurrency", "4", "--fast", "--no-progress", "--format", "json")


@dataclass
class DemoProcess:
    """``routing-otel demo`` in its own process, serving its metrics until stopped."""

    port: int
    argv: list[str]
    process: subprocess.Popen[str] | None = None
    report: dict[str, Any] = field(default_factory=dict)
    finished_at: float = 0.0  # Unix time its report was complete

    def start(self) -> DemoProcess:
        """Start the run; its report is read by `wait_report`."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        command = [sys.executable, "-m", "routing_otel.cli", "demo", *self.argv]
        command += ["--prometheus-port", str(self.port), "--linger", "120"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        )
        return self

    def wait_report(self, timeout: float = 60) -> dict[str, Any]:
        """Read the JSON report the demo prints (it keeps serving metrics afterwards)."""
        assert self.process is not None
        assert self.process.stdout is not None
        lines: list[str] = []
        timer = threading.Timer(timeout, self.process.kill)  # a bound, not a speed check
        timer.start()
        try:
            for line in self.process.stdout:
                lines.append(line)
                if line.rstrip() == "}":  # the end of the top-level JSON object
                    break
        finally:
            timer.cancel()
        self.report = json.loads("".join(lines))
        self.finished_at = time.time()
        return self.report

    def stop(self) -> int | None:
        """End the linger (SIGINT, as Ctrl-C) and wait for the process; its exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


@dataclass
class Prometheus(lab.PrometheusServer):
    """The real Prometheus, scraping several jobs (job name to the ports of its processes)."""

    jobs: dict[str, list[int]] = field(default_factory=dict)
    extra_flags: list[str] = field(default_factory=list)

    def config(self) -> dict[str, Any]:
        """prometheus.yml with one scrape job per service."""
        config = super().config()
        config["scrape_configs"] = [
            {
                "job_name": job,
                "static_configs": [{"targets": [f"{lab.LOOPBACK}:{port}" for port in ports]}],
            }
            for job, ports in self.jobs.items()
        ]
        return config

    def start(self, timeout: float = 30) -> Prometheus:
        """Start with the extra flags (written into the config's directory as a wrapper)."""
        if self.extra_flags:
            wrapper = self.workdir / "prometheus-wrapper"
            binary = self.binary
            wrapper.write_text(
                f'#!/bin/sh\nexec {binary} "$@" {" ".join(self.extra_flags)}\n', encoding="utf-8"
            )
            wrapper.chmod(0o755)
            self.binary = str(wrapper)
        super().start(timeout)
        return self

    def wait_for_scrape_of(self, job: str, after: float, timeout: float = 30) -> None:
        """Wait until ``job``'s metrics were scraped after Unix time ``after``."""
        expr = f'max(timestamp({sc.PROM_REQUESTS}{{job="{job}"}}))'

        def scraped() -> bool:
            result = self.query(expr)
            return bool(result) and float(result[0]["value"][1]) > after

        self.wait(scraped, timeout, f"a scrape of {job} after {after}")

    def wait_for_rules(self, names: list[str], timeout: float = 30) -> None:
        """Wait until the recorded series ``names`` have a sample."""
        self.wait(lambda: all(self.query(n) for n in names), timeout, "the recorded series")


def write_rules(path: Path, rules: list[dict[str, Any]], group: str) -> Path:
    """A rule file with one group."""
    path.write_text(yaml.safe_dump({"groups": [{"name": group, "rules": rules}]}), "utf-8")
    return path


@contextlib.contextmanager
def stopping(*demos: DemoProcess) -> Any:
    """Stop every demo process on the way out, whatever happened."""
    try:
        yield demos
    finally:
        for demo in demos:
            demo.stop()
