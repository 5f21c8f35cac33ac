"""Prometheus metrics of the backend, one registry per Backend (tests stay independent)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


class BackendMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ("model", "device")
        self.latency = Histogram(
            "interview_model_request_seconds",
            "Time from submit to result per request",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.compute = Histogram(
            "interview_model_batch_seconds",
            "Engine time per batch",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "interview_model_batch_size",
            "Items per engine call",
            labels,
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "interview_model_queue_depth", "Requests waiting", labels, registry=self.registry
        )
        self.requests = Counter(
            "interview_model_requests_total",
            "Requests by outcome",
            (*labels, "outcome"),
            registry=self.registry,
        )
        self.prefix_hits = Counter(
            "interview_prefix_cache_hits_total",
            "Prompts that reused a cached prefix",
            labels,
            registry=self.registry,
        )
        self.prefix_tokens = Counter(
            "interview_prefix_cache_tokens_total",
            "Prompt tokens served from the prefix cache",
            labels,
            registry=self.registry,
        )
        self.loaded = Gauge(
            "interview_model_loaded", "1 while the model is loaded", labels, registry=self.registry
        )
        self.unloads = Counter(
            "interview_model_unloads_total",
            "Models unloaded to stay under the memory cap",
            ("model",),
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
