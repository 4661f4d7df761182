#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of a real MLflow server, for the registry fault tests.

    python interop/mlflow/fault_proxy.py UPSTREAM_URL PORT_FILE

Forwards every request to UPSTREAM_URL and answers as it did, unless a fault is armed with
`POST /__fault` and a JSON body:

    {"mode": "status", "status": 500, "match": "registered-models/get", "count": 3}
    {"mode": "status", "status": 429, "retry_after": 2, "match": "...", "count": 1}
    {"mode": "truncate", "match": "model.onnx", "count": -1}     # half the body, then close
    {"mode": "corrupt", "match": "model.onnx", "count": -1}      # same length, other bytes
    {"mode": "dotdot", "match": "mlflow-artifacts/artifacts?", "count": -1}  # listing names ".."
    {"mode": "off"}

`match` is a substring of the request's path and query; `count` -1 means until turned off.
`GET /__log` returns every request seen as JSON lines [time, path, status].
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = sys.argv[1].rstrip("/")
LOCK = threading.Lock()
FAULT: dict = {"mode": "off"}
LOG: list = []


def armed(path: str) -> dict | None:
    with LOCK:
        f = FAULT
        if f.get("mode", "off") == "off" or f.get("match", "") not in path:
            return None
        if f.get("count", -1) == 0:
            return None
        if f.get("count", -1) > 0:
            f["count"] -= 1
        return dict(f)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status: int, body: bytes, headers: dict) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with LOCK:
            LOG.append([time.time(), self.path, status])

    def _control(self) -> bool:
        global FAULT
        if self.path == "/__fault":
            with LOCK:
                FAULT = json.loads(self._body() or b"{}")
            self._send(200, b"{}", {"Content-Type": "application/json"})
            return True
        if self.path == "/__log":
            with LOCK:
                body = "\n".join(json.dumps(e) for e in LOG).encode()
            self._send(200, body, {"Content-Type": "text/plain"})
            return True
        return False

    def _forward(self, method: str) -> None:
        if self._control():
            return
        body = self._body() if method in ("POST", "PUT", "PATCH", "DELETE") else None
        fault = armed(self.path)
        if fault and fault["mode"] == "status":
            extra = {"Content-Type": "application/json"}
            if "retry_after" in fault:
                extra["Retry-After"] = str(fault["retry_after"])
            msg = json.dumps({"error_code": "TEMPORARILY_UNAVAILABLE", "message": "injected"})
            self._send(fault["status"], msg.encode(), extra)
            return
        req = urllib.request.Request(UPSTREAM + self.path, data=body, method=method)
        for k in ("Content-Type", "Authorization"):
            if self.headers.get(k):
                req.add_header(k, self.headers[k])
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        except (urllib.error.URLError, OSError) as e:
            status, data, ctype = 502, f"upstream: {e}".encode(), "text/plain"
        headers = {"Content-Type": ctype}
        if fault and fault["mode"] == "truncate" and status == 200:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            with LOCK:
                LOG.append([time.time(), self.path, "truncated"])
            return
        if fault and fault["mode"] == "corrupt" and status == 200:
            data = bytes(b ^ 0x5A for b in data)
        if fault and fault["mode"] == "dotdot" and status == 200:
            listing = json.loads(data or b"{}")
            listing.setdefault("files", []).append(
                {"path": "..", "is_dir": False, "file_size": 1})
            data = json.dumps(listing).encode()
        self._send(status, data, headers)

    def do_GET(self):
        self._forward("GET")

    def do_POST(self):
        self._forward("POST")

    def do_DELETE(self):
        self._forward("DELETE")


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
