"""The HTTP metrics tallied per request add up, when read, to what aioprometheus's own updates give."""
from __future__ import annotations

from aioprometheus import Counter, Histogram, Registry
from aioprometheus.renderer import render

from runtime.metrics import HTTP_DURATION, HTTP_DURATION_BUCKETS, HTTP_REQUESTS, REGISTRY, RequestTally, exposition


def series(text: str, prefix: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line.startswith(prefix)}


def test_tallied_requests_read_as_direct_updates_would(monkeypatch):
    # Durations on each bucket's bound (`le` is inclusive), just past it, beyond the last bound and zero.
    durations = [0.0, *HTTP_DURATION_BUCKETS, *(bound + 1e-9 for bound in HTTP_DURATION_BUCKETS), 11.0, 0.003]
    requests = [("GET", "/vacations", "200", d) for d in durations] + [
        ("GET", "/vacations", "503", 0.02), ("POST", "/reservations", "400", 0.3), ("GET", "<unmatched>", "404", 0.0)]

    expected = Registry()
    expected_count = Counter("http_requests_total", "HTTP requests by method, route template and status",
                             registry=expected)
    expected_latency = Histogram("http_request_duration_seconds", "HTTP request latency by method and route template",
                                 registry=expected, buckets=HTTP_DURATION_BUCKETS)
    for method, endpoint, status, seconds in requests * 2:
        expected_latency.observe({"method": method, "endpoint": endpoint}, seconds)
        expected_count.inc({"method": method, "endpoint": endpoint, "http_status": status})

    tally = RequestTally()
    for collector in (HTTP_REQUESTS, HTTP_DURATION):
        monkeypatch.setattr(collector, "values", type(collector.values)())  # this test's own, empty series
    for method, endpoint, status, seconds in requests:
        tally.record(method, endpoint, status, seconds)
    tally.fold()
    for method, endpoint, status, seconds in requests:  # a second read adds, it does not overwrite
        tally.record(method, endpoint, status, seconds)
    tally.fold()
    tally.fold()  # nothing new: nothing changes

    got = render(REGISTRY, [])[0].decode()
    want = render(expected, [])[0].decode()
    for name in ("http_requests_total", "http_request_duration_seconds"):
        assert series(got, name) == series(want, name)
    assert series(got, 'http_requests_total{endpoint="/vacations",http_status="200"')  # the comparison saw series
    assert series(got, "http_request_duration_seconds_count")


async def test_a_scrape_counts_the_requests_before_it(client):
    for _ in range(3):
        assert (await client.get("/healthz")).status == 200
    before = series(exposition()[0].decode(), "http_requests_total")
    for _ in range(5):
        await client.get("/healthz")
    text = await (await client.get("/metrics")).text()
    key = 'http_requests_total{endpoint="/healthz",http_status="200",method="GET"}'
    assert series(text, key)[key] == before[key] + 5
    count = 'http_request_duration_seconds_count{endpoint="/healthz",method="GET"}'
    assert series(text, count)[count] >= 8
