"""Chat in real time: POST → frame latency and memory per socket, on one uvicorn process.

400 sockets (a coach and a client for each of 200 conversations, API tokens) stay open on one server
process while 200 messages a second are POSTed through the API for ~10 s, each by one side of its
conversation; the time from a POST leaving the client to the message.created frame reaching the
other side is measured, once with the in-memory channel layer and once through Redis.
Memory per socket is the server's RSS growth while the sockets open, divided by their number.
Targets (issue 13): p95 ≤ 50 ms in memory, ≤ 100 ms through Redis. Printed, never asserted.

The client is asyncio in this process (``websockets`` for the sockets, a small thread pool of
keep-alive HTTP connections for the POSTs), so the figures include its own scheduling too. POSTs are
offered at RATE a second for SECONDS; one not started by then is dropped, so a server that answers
fewer POSTs a second than offered shows it as "sent per s", and its latency then includes the queue.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.error import URLError

from django_scopes import scope

from coachos.accounts.models import User
from coachos.accounts.services import api_token_create
from coachos.chat.services import conversation_get_or_create
from coachos.clients.models import Client
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role
from coachos.tenancy.services import organization_create

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = 200
RATE = 200  # messages a second
SECONDS = 10
POST_THREADS = 32
SOLO = 40  # messages sent one at a time before the load
REDIS = "redis://127.0.0.1:6379/13"
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _setup() -> list[dict[str, Any]]:
    """One business; per conversation a coach limited to their own client and that client, with tokens."""
    owner = User.objects.create_user(email="chat-owner@bench.example", password=None, name="Owner Bench")
    org = organization_create(name="Chat Bench Gym", owner=owner, timezone="America/Chicago")
    pairs = []
    with scope(organization=org):
        for i in range(CONVERSATIONS):
            coach = User.objects.create_user(email=f"coach{i}@bench.example", password=None, name=f"Coach {i}")
            coaching = Membership.objects.create(organization=org, user=coach, role=Role.COACH,
                                                 sees_all_clients=False)
            person = User.objects.create_user(email=f"client{i}@bench.example", password=None, name=f"Client {i}")
            Membership.objects.create(organization=org, user=person, role=Role.CLIENT)
            client = Client.objects.create(organization=org, user=person, first_name="Client", last_name=str(i),
                                           coach_membership=coaching)
            conversation, _ = conversation_get_or_create(client=client, actor=coach)
            pairs.append({
                "conversation": conversation.pk,
                "tokens": [api_token_create(user=u, organization=org, name="bench")[1] for u in (coach, person)],
            })
    return pairs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Server:
    def __init__(self, redis_url: str | None) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "ALLOWED_HOSTS"}}
        env.update({"PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}", "EMAIL_URL": "locmem://", "DEBUG": "0",
                    "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "coachos.settings"})
        if redis_url:
            env["REDIS_URL"] = redis_url
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "coachos.asgi:application", "--host", "127.0.0.1", "--port",
             str(self.port), "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the server did not start")
            try:
                with HTTP.open(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except (URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not answer")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Poster:
    """POSTs from a few threads, each with its own keep-alive connection."""

    def __init__(self, port: int, deadline: float) -> None:
        self.port = port
        self.deadline = deadline  # a POST not started by then is dropped: a slow server cannot stretch the run
        self.local = threading.local()
        self.sent_at: dict[str, float] = {}
        self.post_ms: list[float] = []
        self.errors: Counter[str] = Counter()
        self.dropped = 0

    def post(self, conversation: int, token: str, key: str) -> None:
        if time.perf_counter() > self.deadline:
            self.dropped += 1
            return
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = json.dumps({"body": f"bench {key}", "client_key": key})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        started = self.sent_at[key] = time.perf_counter()
        try:
            conn.request("POST", f"/api/v1/conversations/{conversation}/messages", body, headers)
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                self.errors[str(response.status)] += 1
        except (OSError, http.client.HTTPException) as exc:
            self.errors[type(exc).__name__] += 1
            conn.close()
            self.local.conn = None
        self.post_ms.append((time.perf_counter() - started) * 1000)


async def _listen(ws: Any, arrived: dict[str, float], mine: set[str]) -> None:
    """Note when a message meant for this socket's side arrives (its own echoes are not counted)."""
    async for raw in ws:
        frame = json.loads(raw)
        if frame.get("type") == "message.created":
            key = frame["message"].get("client_key") or frame["message"]["body"].removeprefix("bench ")
            if key in mine:
                arrived.setdefault(key, time.perf_counter())


async def _measure(port: int, pid: int, pairs: list[dict[str, Any]], label: str) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    url = f"ws://127.0.0.1:{port}/ws/v1/events"

    async def open_socket(token: str) -> Any:
        ws = await connect(url, additional_headers={"Authorization": f"Bearer {token}"}, proxy=None,
                           ping_interval=None, compression=None, open_timeout=30)
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv()) == {"type": "pong"}
        return ws

    warm = await open_socket(pairs[0]["tokens"][0])  # the first socket loads code; not counted
    await warm.close()
    await asyncio.sleep(0.5)
    rss_before = _rss_kib(pid)
    gate = asyncio.Semaphore(50)

    async def opened(token: str) -> Any:
        async with gate:
            return await open_socket(token)

    sockets = await asyncio.gather(*(opened(token) for pair in pairs for token in pair["tokens"]))
    await asyncio.sleep(1)
    rss_after = _rss_kib(pid)

    # Message j goes to conversation j % 200, from the client on even rounds and the coach on odd ones;
    # the other side's socket is where its frame counts.
    total = RATE * SECONDS
    plan = []
    for j in range(total):
        i, side = j % len(pairs), (j // len(pairs)) % 2
        plan.append((i, side, f"{label}-{j}"))
    solo = [(i, 0, f"{label}-solo-{i}") for i in range(SOLO)]
    waiting: list[set[str]] = [set() for _ in sockets]
    for i, side, key in solo + plan:
        waiting[2 * i + (1 - side)].add(key)
    arrived: dict[str, float] = {}
    readers = [asyncio.create_task(_listen(ws, arrived, waiting[n])) for n, ws in enumerate(sockets)]
    loop = asyncio.get_running_loop()

    # First a few messages one at a time, with the sockets open: the path itself, without a queue.
    alone = Poster(port, deadline=time.perf_counter() + 60)
    for i, side, key in solo:
        await loop.run_in_executor(None, alone.post, pairs[i]["conversation"], pairs[i]["tokens"][side], key)
        until = loop.time() + 2
        while key not in arrived and loop.time() < until:
            await asyncio.sleep(0.001)
    solo_latencies = sorted((arrived[key] - alone.sent_at[key]) * 1000 for _i, _s, key in solo if key in arrived)

    poster = Poster(port, deadline=time.perf_counter() + SECONDS + 1)
    with ThreadPoolExecutor(max_workers=POST_THREADS) as pool:
        started = loop.time()
        jobs = []
        for j, (i, side, key) in enumerate(plan):
            delay = started + j / RATE - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            jobs.append(loop.run_in_executor(pool, poster.post, pairs[i]["conversation"], pairs[i]["tokens"][side],
                                             key))
        await asyncio.gather(*jobs)
        elapsed = loop.time() - started
    deadline = loop.time() + 5
    posted = total - poster.dropped
    while len(arrived) < len(solo_latencies) + posted - sum(poster.errors.values()) and loop.time() < deadline:
        await asyncio.sleep(0.05)
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    latencies = sorted((arrived[key] - poster.sent_at[key]) * 1000 for key in arrived if key in poster.sent_at)
    return {"sockets": len(sockets), "rss_delta": rss_after - rss_before, "latencies": latencies,
            "solo": solo_latencies, "offered": total,
            "posted": posted, "errors": poster.errors, "elapsed": elapsed, "post_ms": sorted(poster.post_ms)}


def _pct(values: list[float], p: float) -> str:
    if not values:
        return "n/a"
    return f"{values[min(len(values) - 1, int(len(values) * p))]:.1f}"


def _figures(label: str, result: dict[str, Any]) -> list[tuple[str, str]]:
    lat, errors = result["latencies"], result["errors"]
    failed = sum(errors.values())
    return [
        (f"{label}: one at a time, POST → frame p50 / p95 ms",
         f"{_pct(result['solo'], 0.5)} / {_pct(result['solo'], 0.95)} ({len(result['solo'])} of {SOLO})"),
        (f"{label}: POSTs offered / sent (sent per s)",
         f"{result['offered']} / {result['posted']} ({result['posted'] / result['elapsed']:.0f})"),
        (f"{label}: POST errors / frames missing",
         f"{failed} {dict(errors) if errors else ''}/ {result['posted'] - failed - len(lat)}"),
        (f"{label}: POST → frame p50 / p95 / p99 ms", f"{_pct(lat, 0.5)} / {_pct(lat, 0.95)} / {_pct(lat, 0.99)}"),
        (f"{label}: POST answered p50 / p95 ms", f"{_pct(result['post_ms'], 0.5)} / {_pct(result['post_ms'], 0.95)}"),
        (f"{label}: memory per socket KiB ({result['sockets']} sockets)",
         f"{result['rss_delta'] / result['sockets']:.1f}"),
    ]


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS).flushdb()  # no groups or rate counts from an earlier run
        return True
    except Exception:
        return False


def run() -> list[tuple[str, str]]:
    pairs = _setup()
    figures: list[tuple[str, str]] = []
    for label, redis_url in (("in memory", None), ("Redis", REDIS)):
        if redis_url and not _redis_available():
            figures.append((f"{label}", "skipped: no Redis at 127.0.0.1:6379"))
            continue
        server = Server(redis_url)
        try:
            result = asyncio.run(_measure(server.port, server.proc.pid, pairs, "mem" if redis_url is None else "redis"))
        finally:
            server.stop()
        figures += _figures(label, result)
    return figures
