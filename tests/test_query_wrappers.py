"""Queries.wrapped: a wrapper statement holds exactly one place for the statement it wraps."""
from __future__ import annotations

import pytest

from runtime.db import QUERIES, Queries


def test_every_wrapper_takes_its_statement_once():
    wrapped = QUERIES.wrapped("reservation_listing_json_wrapper", "SELECT 1")
    assert "FROM (SELECT 1) AS listing" in wrapped and "{}" not in wrapped


def test_a_wrapper_with_no_place_or_two_is_refused(tmp_path):
    (tmp_path / "q.sql").write_text("-- name: none\nSELECT 1;\n\n-- name: two\nSELECT * FROM ({}) a, ({}) b;\n")
    queries = Queries(tmp_path)
    for name in ("none", "two"):
        with pytest.raises(ValueError, match="exactly one"):
            queries.wrapped(name, "SELECT 1")
