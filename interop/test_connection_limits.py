"""Slow and hostile HTTP clients against server B (2 s header and body timeouts, 1 MiB body limit).

curl uploads a body a byte at a time and posts a gzip bomb; a raw socket trickles its headers. Each
gets its 4xx with a JSON error, the breach is counted in the server's metrics, and the server then
serves a good request. Timings are only bounded from above (generous slack for a shared machine).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
import zlib

import pytest

from helpers import curl, http_base, scrape

LIMIT = 1048576  # server B's --max-request-bytes, which caps inflation too
STEP = 64 * 1024  # the most the server inflates in one step
TINY_MLP = "/v2/models/tiny_mlp/infer"


def _metric(metrics_url: str, name: str, **labels) -> float:
    total = 0.0
    for n, lab, value in scrape(metrics_url):
        if n == name and all(lab.get(k) == v for k, v in labels.items()):
            total += value
    return total


def _assert_still_serves(http_url: str) -> None:
    status, body, _ = curl(http_base(http_url) + "/v2/health/live")
    assert status == 200, body


@pytest.fixture(scope="module")
def gzip_bomb(tmp_path_factory) -> bytes:
    """200 MB of zeros as one gzip member (about 200 KB), compressed a MiB at a time."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    mib = bytes(1 << 20)
    out = bytearray()
    for _ in range(200):
        out += z.compress(mib)
    out += z.flush()
    path = tmp_path_factory.mktemp("bomb") / "zeros.gz"
    path.write_bytes(out)
    return path


def test_curl_uploading_its_body_slowly_gets_408(broken_http_url, broken_metrics_url):
    before = _metric(broken_metrics_url, "sluice_connection_timeouts_total", kind="body")
    cmd = ["curl", "-s", "-o", "-", "-w", "%{http_code}", "--max-time", "30", "-X", "POST", "-T", "-",
           "-H", "Content-Type: application/json", http_base(broken_http_url) + TINY_MLP]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def trickle():
        try:
            for _ in range(60):
                proc.stdin.write(b"{")
                proc.stdin.flush()
                time.sleep(0.5)
        except (BrokenPipeError, ValueError, OSError):
            pass  # curl has its answer and is gone

    threading.Thread(target=trickle, daemon=True).start()
    out = proc.stdout.read()  # not communicate(): it would close curl's stdin at once
    proc.wait(timeout=40)
    with contextlib.suppress(OSError):
        proc.stdin.close()
    proc.stderr.close()
    elapsed = time.monotonic() - started
    assert out[-3:] == b"408", out[-300:]
    assert b'"error":"the request body did not arrive within 2000 ms' in out
    assert elapsed < 15, elapsed
    assert _metric(broken_metrics_url, "sluice_connection_timeouts_total", kind="body") == before + 1
    _assert_still_serves(broken_http_url)


def test_a_client_trickling_its_headers_gets_408_and_is_closed(broken_http_url, broken_metrics_url):
    before = _metric(broken_metrics_url, "sluice_connection_timeouts_total", kind="header")
    host, port = broken_http_url.rsplit(":", 1)
    head = b"POST /v2/models/tiny_mlp/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    received = bytearray()
    with socket.create_connection((host, int(port)), timeout=15) as s:
        for b in head:
            try:
                s.sendall(bytes([b]))
            except OSError:
                break
            s.settimeout(0.3)
            try:
                chunk = s.recv(4096)
            except TimeoutError:
                continue
            finally:
                s.settimeout(15)
            received += chunk
            break  # the answer has begun (or the close): a client stops sending, a byte could meet a reset
        with contextlib.suppress(ConnectionResetError):  # a reset after the answer is still a close
            while chunk := s.recv(4096):  # the rest of the answer, then the close
                received += chunk
    assert received.startswith(b"HTTP/1.1 408 "), bytes(received[:200])
    assert b"connection: close" in received.lower()
    assert b'{"error":"the request headers did not arrive within 2000 ms' in received
    assert _metric(broken_metrics_url, "sluice_connection_timeouts_total", kind="header") == before + 1
    _assert_still_serves(broken_http_url)


def test_curl_posting_a_gzip_bomb_gets_413_after_bounded_inflation(broken_http_url, broken_metrics_url, gzip_bomb):
    inflated_before = _metric(broken_metrics_url, "sluice_request_inflated_bytes_total")
    exceeded_before = _metric(broken_metrics_url, "sluice_request_limit_exceeded_total", limit="decompressed_bytes")
    status, body, _ = curl(
        http_base(broken_http_url) + TINY_MLP,
        "-H", "Content-Type: application/json", "-H", "Content-Encoding: gzip",
        "--data-binary", f"@{gzip_bomb}",
    )
    assert status == 413, body
    assert body.startswith(b'{"error":"the request body inflates to more than 1048576 bytes'), body
    inflated = _metric(broken_metrics_url, "sluice_request_inflated_bytes_total") - inflated_before
    assert LIMIT < inflated <= LIMIT + STEP, inflated
    assert (
        _metric(broken_metrics_url, "sluice_request_limit_exceeded_total", limit="decompressed_bytes")
        == exceeded_before + 1
    )
    _assert_still_serves(broken_http_url)


def test_curl_with_an_unknown_content_encoding_gets_415(broken_http_url):
    status, body, _ = curl(
        http_base(broken_http_url) + TINY_MLP,
        "-i", "-H", "Content-Type: application/json", "-H", "Content-Encoding: br", "--data-binary", "{}",
    )
    assert status == 415, body
    assert b"accept-encoding: gzip, deflate" in body.lower()
    assert b"{\"error\":\"Content-Encoding 'br' is not supported (expected: gzip, deflate or identity)\"}" in body
    _assert_still_serves(broken_http_url)
