"""A list answers in a fixed number of queries, however many rows it has (SPEC §9)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str):
    """(response, the queries it ran) for one GET of `url` through `client` (a test client or a GET function)."""
    get = client.get if hasattr(client, "get") else client
    with CaptureQueriesContext(connection) as captured:
        response = get(url)
    return response, [q["sql"] for q in captured.captured_queries]


def assert_fixed_queries(client, url: str, grow: Callable[[], object]) -> int:
    """GET `url`, let `grow()` add many more rows, GET it again: the same number of queries, and a page that
    shows the growth (else the second count proves nothing). Returns the number of queries.

    The URL is requested once beforehand so that what a first request does once per process or per minute
    (caches filled, a token's last use noted) is not counted against the list."""
    get = client.get if hasattr(client, "get") else client
    warm = get(url)
    assert warm.status_code == 200, f"GET {url}: {warm.status_code}"
    first, before = count_queries(get, url)
    grow()
    second, after = count_queries(get, url)
    assert second.status_code == 200, f"GET {url} after grow(): {second.status_code}"
    if len(before) != len(after):
        raise AssertionError(
            f"GET {url} ran {len(before)} queries, and {len(after)} once grow() had added rows:\n"
            + _listing("before", before) + _listing("after", after))
    assert _body(first) != _body(second), f"GET {url}: grow() added nothing this page shows"
    return len(after)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _listing(title: str, queries: list[str]) -> str:
    return f"--- {title} ({len(queries)}):\n" + "".join(f"  {i:>3}. {sql}\n" for i, sql in enumerate(queries, 1))
