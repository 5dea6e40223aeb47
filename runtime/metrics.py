"""The process-wide Prometheus registry and the HTTP metrics every route shares."""
from aioprometheus import Counter, Histogram, Registry

REGISTRY = Registry()

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests by method, route template and status", registry=REGISTRY
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by method and route template",
    registry=REGISTRY,
    buckets=[0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0],
)
