"""Prometheus metrics of the actor runtime, one `ActorTypeMetrics` per actor type.

Recording happens on every message, so it must cost little: counts and gauges are
plain integers on `ActorTypeMetrics`, read by their collectors only when the
registry is rendered, and each histogram series is looked up once per actor type.
"""

from collections.abc import Callable

from aioprometheus import Counter, Gauge, Histogram
from aioprometheus.histogram import Histogram as HistogramSeries

from runtime.metrics import REGISTRY

# Handlers are mostly sub-millisecond writes; the long tail is LLM turns.
_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]

Labels = dict[str, str]


class _ReadAtRender:
    """A collector whose series are read from every ActorTypeMetrics when the registry is rendered."""

    def __init__(self, name: str, doc: str, read: Callable[["ActorTypeMetrics"], list[tuple[Labels, int]]]) -> None:
        super().__init__(name, doc, registry=REGISTRY)
        self._read = read

    def get_all(self) -> list[tuple[Labels, int]]:
        return [series for metrics in list(_BY_TYPE.values()) for series in self._read(metrics)]


class _TallyGauge(_ReadAtRender, Gauge):
    pass


class _TallyCounter(_ReadAtRender, Counter):
    pass


ACTORS_ACTIVE = _TallyGauge("mawid_actors_active", "Activated actors by actor type", lambda m: [(m.labels, m.active)])
MAILBOX_DEPTH = _TallyGauge(
    "mawid_actor_mailbox_depth",
    "Messages queued in the mailboxes of all actors of a type",
    lambda m: [(m.labels, m.queued_messages)],
)
MESSAGE_SECONDS = Histogram(
    "mawid_actor_message_seconds", "Time a handler took for one message", registry=REGISTRY, buckets=_SECONDS_BUCKETS
)
MAILBOX_WAIT_SECONDS = Histogram(
    "mawid_actor_mailbox_wait_seconds",
    "Time a message waited in a mailbox before its handler started",
    registry=REGISTRY,
    buckets=_SECONDS_BUCKETS,
)
MESSAGES = _TallyCounter(
    "mawid_actor_messages_total",
    "Handled messages by actor type and outcome",
    lambda m: [({**m.labels, "outcome": "ok"}, m.ok_messages), ({**m.labels, "outcome": "error"}, m.failed_messages)],
)
FAILURES = _TallyCounter(
    "mawid_actor_failures_total",
    "Failed handlers, activations and passivations by actor type",
    lambda m: [(m.labels, m.failures)],
)
ACTIVATIONS = _TallyCounter(
    "mawid_actor_activations_total", "Actor activations by actor type", lambda m: [(m.labels, m.activations)]
)
PASSIVATIONS = _TallyCounter(
    "mawid_actor_passivations_total", "Actor passivations by actor type", lambda m: [(m.labels, m.passivations)]
)


def _series(histogram: Histogram, labels: Labels) -> HistogramSeries:
    series = HistogramSeries(*histogram.upper_bounds)
    histogram.set_value(labels, series)
    return series


class ActorTypeMetrics:
    """Everything the runtime records about one actor type."""

    __slots__ = (
        "labels",
        "active",
        "queued_messages",
        "ok_messages",
        "failed_messages",
        "failures",
        "activations",
        "passivations",
        "_handling",
        "_waiting",
    )

    def __init__(self, actor_type: str) -> None:
        self.labels = {"actor_type": actor_type}
        self.active = 0
        self.queued_messages = 0
        self.ok_messages = 0
        self.failed_messages = 0
        self.failures = 0
        self.activations = 0
        self.passivations = 0
        self._handling = _series(MESSAGE_SECONDS, self.labels)
        self._waiting = _series(MAILBOX_WAIT_SECONDS, self.labels)

    def queued(self, count: int = 1) -> None:
        self.queued_messages += count

    def dequeued(self, count: int = 1) -> None:
        self.queued_messages -= count

    def handled(self, waited: float, took: float, *, ok: bool) -> None:
        self._waiting.observe(waited)
        self._handling.observe(took)
        if ok:
            self.ok_messages += 1
        else:
            self.failed_messages += 1

    def failed(self) -> None:
        self.failures += 1

    def activated(self) -> None:
        self.activations += 1
        self.active += 1

    def passivated(self) -> None:
        self.passivations += 1
        self.active -= 1

    def abandoned(self) -> None:
        """An active actor cancelled at shutdown: no longer active, but it never passivated."""
        self.active -= 1


_BY_TYPE: dict[str, ActorTypeMetrics] = {}


def metrics_for(actor_type: str) -> ActorTypeMetrics:
    metrics = _BY_TYPE.get(actor_type)
    if metrics is None:
        metrics = _BY_TYPE[actor_type] = ActorTypeMetrics(actor_type)
    return metrics
