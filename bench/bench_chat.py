"""Chat in real time: POST → frame latency and memory per socket, sockets on one uvicorn process.

400 sockets (a coach and a client for each of 200 conversations, API tokens) stay open on one server
process while 200 messages a second are POSTed through the API for ~10 s, each by one side of its
conversation; the time from a POST leaving the client to the message.created frame reaching the
other side is measured. Runs: the in-memory channel layer (everything on one process); Redis with one
process; Redis with the API on two processes (the sockets still on the first: a frame published by
the second reaches them through Redis). Memory per socket is the socket process's RSS growth while the
sockets open, divided by their number. Targets (issue 13): p95 ≤ 50 ms in memory, ≤ 100 ms through
Redis. Printed, never asserted.

The client is one asyncio loop in this process (uvloop when installed), no threads: ``websockets`` for
the sockets and a pool of keep-alive HTTP/1.1 connections written on asyncio streams for the POSTs, so
that it stays light on the machine's shared cores (its own CPU use is printed, and the server's).
POSTs are offered at RATE a second for SECONDS (open loop: the schedule does not wait for answers); a
POST that finds no free connection waits for one, and one not started by the end of the run + 1 s is
dropped, so a server that answers fewer POSTs a second than offered shows it as "answered per s", and
its latencies then include the queue. The server runs with the project's settings, as ``make run``
does: DEBUG off, not in test mode (without Redis the shared cache is a database table), no connection
pool, so a new database connection per request (Django under ASGI).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.error import URLError

from django.core.management import call_command
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
CONNECTIONS = 48  # keep-alive HTTP connections for the POSTs (spread over the API processes)
SOLO = 40  # messages sent one at a time before the load
REDIS = "redis://127.0.0.1:6379/13"
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# The servers' settings: the project's. CHAT_BENCH_SETTINGS names another module (on PYTHONPATH) to
# measure a configuration the project does not have yet; the figures then say which.
SETTINGS = os.environ.get("CHAT_BENCH_SETTINGS", "coachos.settings")
CACHE_TABLE = "coachos_cache"  # settings.CACHES["default"] without Redis and out of test mode


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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, redis_url: str | None) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "ALLOWED_HOSTS"}}
        # Not in test mode (bench/run.py is): the caches and jobs are those `make run` has.
        env.update({"PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}", "EMAIL_URL": "locmem://", "DEBUG": "0",
                    "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": SETTINGS, "COACHOS_TESTING": "0",
                    # DEBUG off: the server refuses the development key (coachos/common/secret_key.py).
                    "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)})
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


class HttpConnection:
    """One keep-alive HTTP/1.1 connection: a request, then its whole answer, then the next."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, token: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode("latin1") + body)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        length, chunked, closing = 0, False, False
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                closing = True
        if chunked:
            while (size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)) > 0:
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        else:
            await self.reader.readexactly(length)
        if closing:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Poster:
    """POSTs over a pool of keep-alive connections (spread over the API processes' ports)."""

    def __init__(self, ports: list[int], connections: int, deadline: float) -> None:
        self.free: asyncio.Queue[HttpConnection] = asyncio.Queue()
        for n in range(connections):
            self.free.put_nowait(HttpConnection(ports[n % len(ports)]))
        self.deadline = deadline  # a POST not started by then is dropped: a slow server cannot stretch the run
        self.sent_at: dict[str, float] = {}
        self.post_ms: list[float] = []
        self.errors: Counter[str] = Counter()
        self.dropped = 0

    async def post(self, conversation: int, token: str, key: str) -> None:
        connection = await self.free.get()
        try:
            if time.perf_counter() > self.deadline:
                self.dropped += 1
                return
            body = json.dumps({"body": f"bench {key}", "client_key": key}).encode()
            started = self.sent_at[key] = time.perf_counter()
            try:
                status = await connection.post(f"/api/v1/conversations/{conversation}/messages", body, token)
                if status != 201:
                    self.errors[str(status)] += 1
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                self.errors[type(exc).__name__] += 1
                connection.close()
            self.post_ms.append((time.perf_counter() - started) * 1000)
        finally:
            self.free.put_nowait(connection)

    def close(self) -> None:
        while not self.free.empty():
            self.free.get_nowait().close()


async def _listen(ws: Any, arrived: dict[str, float], mine: set[str]) -> None:
    """Note when a message meant for this socket's side arrives (its own echoes are not counted)."""
    async for raw in ws:
        frame = json.loads(raw)
        if frame.get("type") == "message.created":
            key = frame["message"].get("client_key") or frame["message"]["body"].removeprefix("bench ")
            if key in mine:
                arrived.setdefault(key, time.perf_counter())


async def _measure(ports: list[int], pids: list[int], pairs: list[dict[str, Any]], label: str) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    url = f"ws://127.0.0.1:{ports[0]}/ws/v1/events"  # every socket on the first process

    async def open_socket(token: str) -> Any:
        ws = await connect(url, additional_headers={"Authorization": f"Bearer {token}"}, proxy=None,
                           ping_interval=None, compression=None, open_timeout=30)
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv()) == {"type": "pong"}
        return ws

    warm = await open_socket(pairs[0]["tokens"][0])  # the first socket loads code; not counted
    await warm.close()
    await asyncio.sleep(0.5)
    rss_before = _rss_kib(pids[0])
    gate = asyncio.Semaphore(50)

    async def opened(token: str) -> Any:
        async with gate:
            return await open_socket(token)

    sockets = await asyncio.gather(*(opened(token) for pair in pairs for token in pair["tokens"]))
    await asyncio.sleep(1)
    rss_after = _rss_kib(pids[0])

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
    alone = Poster(ports[:1], 1, deadline=time.perf_counter() + 60)
    for i, side, key in solo:
        await alone.post(pairs[i]["conversation"], pairs[i]["tokens"][side], key)
        until = loop.time() + 2
        while key not in arrived and loop.time() < until:
            await asyncio.sleep(0.001)
    alone.close()
    solo_latencies = sorted((arrived[key] - alone.sent_at[key]) * 1000 for _i, _s, key in solo if key in arrived)

    poster = Poster(ports, CONNECTIONS, deadline=time.perf_counter() + SECONDS + 1)
    cpu_before = [_cpu_seconds(pid) for pid in pids]
    client_before = time.process_time()
    started = loop.time()
    jobs: list[asyncio.Task[None]] = []
    for j, (i, side, key) in enumerate(plan):
        delay = started + j / RATE - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        jobs.append(asyncio.create_task(poster.post(pairs[i]["conversation"], pairs[i]["tokens"][side], key)))
    await asyncio.gather(*jobs)
    elapsed = loop.time() - started
    posted = total - poster.dropped
    answered = posted - sum(poster.errors.values())
    deadline = loop.time() + 5
    while len(arrived) < len(solo_latencies) + answered and loop.time() < deadline:
        await asyncio.sleep(0.05)
    cpu = [(_cpu_seconds(pid) - before) / elapsed * 100 for pid, before in zip(pids, cpu_before, strict=True)]
    client_cpu = (time.process_time() - client_before) / elapsed * 100
    poster.close()
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    latencies = sorted((arrived[key] - poster.sent_at[key]) * 1000 for key in arrived if key in poster.sent_at)
    return {"sockets": len(sockets), "rss_delta": rss_after - rss_before, "latencies": latencies,
            "solo": solo_latencies, "offered": total, "posted": posted, "answered": answered,
            "errors": poster.errors, "elapsed": elapsed, "post_ms": sorted(poster.post_ms),
            "server_cpu": cpu, "client_cpu": client_cpu}


def _pct(values: list[float], p: float) -> str:
    if not values:
        return "n/a"
    return f"{values[min(len(values) - 1, int(len(values) * p))]:.1f}"


def _figures(label: str, result: dict[str, Any]) -> list[tuple[str, str]]:
    lat, errors = result["latencies"], result["errors"]
    failed = sum(errors.values())
    cpu = " + ".join(f"{c:.0f}" for c in result["server_cpu"])
    return [
        (f"{label}: one at a time, POST → frame p50 / p95 ms",
         f"{_pct(result['solo'], 0.5)} / {_pct(result['solo'], 0.95)} ({len(result['solo'])} of {SOLO})"),
        (f"{label}: POSTs offered / sent / answered (answered per s)",
         f"{result['offered']} / {result['posted']} / {result['answered']} "
         f"({result['answered'] / result['elapsed']:.0f}, offered {RATE})"),
        (f"{label}: POST errors / frames missing",
         f"{failed} {dict(errors) if errors else ''}/ {result['answered'] - len(lat)}"),
        (f"{label}: POST → frame p50 / p95 / p99 ms", f"{_pct(lat, 0.5)} / {_pct(lat, 0.95)} / {_pct(lat, 0.99)}"),
        (f"{label}: POST answered p50 / p95 ms", f"{_pct(result['post_ms'], 0.5)} / {_pct(result['post_ms'], 0.95)}"),
        (f"{label}: CPU % of a core, server(s) / this client", f"{cpu} / {result['client_cpu']:.0f}"),
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


def _event_loop_runner() -> Callable[[Coroutine[Any, Any, dict[str, Any]]], dict[str, Any]]:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.run

    def run(main: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(main)

    return run


RUNS: tuple[tuple[str, str | None, int], ...] = (
    ("in memory", None, 1),
    ("Redis", REDIS, 1),
    ("Redis, API on 2 processes", REDIS, 2),
)


def run() -> list[tuple[str, str]]:
    # The servers' cache without Redis, as `make run` has it (this process, in test mode, has another).
    call_command("createcachetable", CACHE_TABLE, verbosity=0)
    pairs = _setup()
    figures: list[tuple[str, str]] = []
    run_loop = _event_loop_runner()
    for label, redis_url, processes in RUNS:
        if SETTINGS != "coachos.settings":
            label = f"{label} [{SETTINGS}]"
        if redis_url and not _redis_available():
            figures.append((f"{label}", "skipped: no Redis at 127.0.0.1:6379"))
            continue
        servers: list[Server] = []
        try:
            servers = [Server(redis_url) for _ in range(processes)]
            result = run_loop(_measure([s.port for s in servers], [s.proc.pid for s in servers], pairs,
                                       f"run{len(figures)}"))
        finally:
            for server in servers:
                server.stop()
        figures += _figures(label, result)
    return figures
