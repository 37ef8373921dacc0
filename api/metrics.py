"""Prometheus collectors the API adds to its /metrics: worker stage timings and broker queue depth.

Documents by status come from the database (api.app.DocumentCounts); these two come from the workers'
multiprocess files under DATA_DIR/metrics/*/ (workers.observe) and from the broker itself.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from workers.settings import Settings
from workers.sweeper import broker_depths


class WorkerMetrics(Collector):
    """Every worker process's metrics on every machine that shares DATA_DIR, merged at scrape time."""

    def __init__(self, settings: Settings) -> None:
        self.patterns = [str(settings.data_dir / "metrics" / "*" / "*.db")]
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # an operator's own choice (workers.observe honours it)
            self.patterns.append(str(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]) / "*.db"))

    def collect(self) -> Iterator[Metric]:
        files = sorted({path for pattern in self.patterns for path in glob.glob(pattern)})
        if not files:
            return iter(())
        return iter(MultiProcessCollector.merge(files, accumulate=True))


class QueueDepth(Collector):
    """docextract_queue_messages{queue}: messages waiting in the broker per queue, and "unacked" for
    delivered but not yet acknowledged (running or prefetched). Absent when the broker is unreachable."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily("docextract_queue_messages", "messages in the broker", labels=["queue"])
        for queue, count in self.depths().items():
            family.add_metric([queue], count)
        yield family

    def depths(self) -> dict[str, int]:
        return broker_depths(self.settings, timeout=2) or {}


def install_metrics(registry: CollectorRegistry, settings: Settings) -> None:
    registry.register(WorkerMetrics(settings))
    registry.register(QueueDepth(settings))
