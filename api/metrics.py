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

from workers.app import QUEUES
from workers.settings import Settings
from workers.sweeper import redis_queue_keys


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
        if self.settings.embedded:
            folder = self.settings.queue_dir / "messages"
            if not folder.is_dir():
                return {}
            return {"embedded": sum(1 for name in os.listdir(folder) if name.endswith(".msg"))}
        import redis

        try:
            client = redis.Redis.from_url(self.settings.redis_url or "", socket_timeout=2, socket_connect_timeout=2)
            with client.pipeline() as pipe:
                for queue in QUEUES:
                    for key in redis_queue_keys(queue):
                        pipe.llen(key)
                pipe.hlen("unacked")
                counts = pipe.execute()
            client.close()
        except redis.RedisError:
            return {}
        per_queue = len(redis_queue_keys(QUEUES[0]))
        depths = {queue: int(sum(counts[n * per_queue:(n + 1) * per_queue])) for n, queue in enumerate(QUEUES)}
        depths["unacked"] = int(counts[-1])
        return depths


def install_metrics(registry: CollectorRegistry, settings: Settings) -> None:
    registry.register(WorkerMetrics(settings))
    registry.register(QueueDepth(settings))
