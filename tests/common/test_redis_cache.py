"""The Redis cache keeps one client per connection pool (coachos/common/redis_cache.py) and still
behaves as Django's: values round-trip, add/incr/delete/many work, from several threads."""

from __future__ import annotations

import threading
import uuid

import pytest

from coachos.common.redis_cache import RedisCache

REDIS = "redis://127.0.0.1:6379/14"

pytestmark = [pytest.mark.xdist_group("redis")]


@pytest.fixture
def cache() -> RedisCache:
    return RedisCache(REDIS, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}", "TIMEOUT": 60})


def test_one_client_serves_every_call(cache: RedisCache) -> None:
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("other-key") is client


def test_it_behaves_as_djangos_redis_cache(cache: RedisCache) -> None:
    cache.set("a", {"n": 1})
    assert cache.get("a") == {"n": 1}
    assert cache.add("a", 2) is False and cache.add("b", 2) is True
    assert cache.incr("b") == 3
    cache.set_many({"c": "x", "d": "y"})
    assert cache.get_many(["c", "d", "missing"]) == {"c": "x", "d": "y"}
    assert cache.delete("c") is True and cache.get("c") is None


def test_threads_share_the_client_safely(cache: RedisCache) -> None:
    cache.set("counter", 0)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(50):
                cache.incr("counter")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert cache.get("counter") == 400
