"""The LRU maps behind the response cache and persisted queries, and request keys."""

from __future__ import annotations

from api.cache import LRU, etag_matches, request_key


def test_lru_evicts_least_recently_used():
    lru: LRU[bytes] = LRU(2)
    lru.put("a", b"1")
    lru.put("b", b"2")
    assert lru.get("a") == b"1"  # a is now the most recent
    lru.put("c", b"3")
    assert lru.get("b") is None and lru.get("a") == b"1" and lru.get("c") == b"3"


def test_lru_bounds_total_bytes():
    lru: LRU[bytes] = LRU(100, max_bytes=1000)
    for i in range(10):
        lru.put(i, b"x" * 200)
    assert lru.bytes <= 1000 and len(lru) == 5
    assert lru.get(9) is not None and lru.get(0) is None
    lru.put("huge", b"x" * 300)  # over a quarter of the budget: not cached
    assert lru.get("huge") is None
    lru.put(9, b"y" * 10)  # replacing a value re-counts its bytes
    assert lru.bytes == 4 * 200 + 10
    lru.clear()
    assert lru.bytes == 0 and len(lru) == 0


def test_disabled_lru_keeps_nothing():
    lru: LRU[bytes] = LRU(0)
    lru.put("a", b"1")
    assert lru.get("a") is None


def test_request_key_normalises_whitespace_and_variable_order():
    a = request_key("v1", "{ a }", {"x": 1, "y": 2}, None)
    assert a == request_key("v1", "  { a }\n", {"y": 2, "x": 1}, None)
    assert a != request_key("v2", "{ a }", {"x": 1, "y": 2}, None)
    assert a != request_key("v1", "{ a }", {"x": 1, "y": 3}, None)
    assert a != request_key("v1", "{ a }", {"x": 1, "y": 2}, "Op")
    # Parts are length-prefixed: moving text between parts changes the key.
    assert request_key("v", "ab", None, "c") != request_key("v", "a", None, "bc")


def test_etag_matching():
    tag = '"' + "0" * 32 + '"'
    assert etag_matches(tag, tag) and etag_matches(f'"x", W/{tag}', tag)
    assert etag_matches("*", tag)
    assert not etag_matches('"other"', tag) and not etag_matches(None, tag)


def test_second_sight_says_yes_from_a_keys_second_offer_within_its_bound():
    from api.cache import SecondSight

    seen = SecondSight(2)
    assert [seen.again("a"), seen.again("a"), seen.again("a")] == [False, True, True]
    assert not seen.again("b") and not seen.again("c")  # "a" is forgotten: two at most
    assert len(seen) == 2 and not seen.again("a")
