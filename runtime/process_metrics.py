"""Process metrics: the reference's two sampled gauges and the client library's standard series.

`process_cpu_percent` and `process_memory_bytes` keep the reference's meaning
(spec 60 §4.4): the first is system-wide CPU utilisation since the previous
sample, the second the server process's resident set size. They are sampled by
the `system_metrics` job and once at start-up (the reference reads 0 for three
minutes). The standard `process_*` / `python_*` series that Python's official
client exports and aioprometheus lacks are read from psutil and `gc` each time
`/metrics` is rendered, so they are never stale.
"""
from __future__ import annotations

import gc
import platform
import resource
from collections.abc import Callable

import psutil
from aioprometheus import Counter, Gauge

from runtime.metrics import REGISTRY

Labels = dict[str, str]
Series = list[tuple[Labels, float]]

_PROCESS = psutil.Process()

PROCESS_CPU_PERCENT = Gauge(
    "process_cpu_percent", "System-wide CPU utilisation percent since the previous sample", registry=REGISTRY
)
PROCESS_MEMORY_BYTES = Gauge("process_memory_bytes", "Resident memory of the server process in bytes",
                             registry=REGISTRY)


def sample_system_metrics() -> tuple[float, int]:
    """Refresh the two sampled gauges; returns (cpu percent, rss bytes). The first CPU sample is 0.0."""
    cpu = psutil.cpu_percent(interval=None)
    rss = _PROCESS.memory_info().rss
    PROCESS_CPU_PERCENT.set({}, cpu)
    PROCESS_MEMORY_BYTES.set({}, rss)
    return cpu, rss


class _ReadAtRender:
    def __init__(self, name: str, doc: str, read: Callable[[], Series]) -> None:
        super().__init__(name, doc, registry=REGISTRY)
        self._read = read

    def get_all(self) -> Series:
        try:
            return self._read()
        except (psutil.Error, OSError):  # a scrape must not fail because one reading did
            return []


class _ReadGauge(_ReadAtRender, Gauge):
    pass


class _ReadCounter(_ReadAtRender, Counter):
    pass


def _cpu_seconds() -> Series:
    times = _PROCESS.cpu_times()
    return [({}, times.user + times.system)]


def _max_fds() -> Series:
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return [({}, float(soft))]


def _gc_series(key: str) -> Callable[[], Series]:
    def read() -> Series:
        return [({"generation": str(gen)}, float(stats[key])) for gen, stats in enumerate(gc.get_stats())]

    return read


def _python_info() -> Series:
    major, minor, patch = platform.python_version_tuple()
    labels = {
        "implementation": platform.python_implementation(),
        "major": major,
        "minor": minor,
        "patchlevel": patch,
        "version": platform.python_version(),
    }
    return [(labels, 1.0)]


PROCESS_CPU_SECONDS = _ReadCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds",
                                   _cpu_seconds)
PROCESS_RESIDENT_MEMORY = _ReadGauge("process_resident_memory_bytes", "Resident memory size in bytes",
                                     lambda: [({}, float(_PROCESS.memory_info().rss))])
PROCESS_VIRTUAL_MEMORY = _ReadGauge("process_virtual_memory_bytes", "Virtual memory size in bytes",
                                    lambda: [({}, float(_PROCESS.memory_info().vms))])
PROCESS_START_TIME = _ReadGauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds",
                                lambda: [({}, _PROCESS.create_time())])
PROCESS_OPEN_FDS = _ReadGauge("process_open_fds", "Number of open file descriptors",
                              lambda: [({}, float(_PROCESS.num_fds()))])
PROCESS_MAX_FDS = _ReadGauge("process_max_fds", "Maximum number of open file descriptors", _max_fds)
PYTHON_INFO = _ReadGauge("python_info", "Python platform information", _python_info)
GC_COLLECTED = _ReadCounter("python_gc_objects_collected_total", "Objects collected during gc",
                            _gc_series("collected"))
GC_UNCOLLECTABLE = _ReadCounter("python_gc_objects_uncollectable_total", "Uncollectable objects found during GC",
                                _gc_series("uncollectable"))
GC_COLLECTIONS = _ReadCounter("python_gc_collections_total", "Number of times this generation was collected",
                              _gc_series("collections"))
