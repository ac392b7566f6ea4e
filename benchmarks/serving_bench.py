"""Latency and throughput of the model server (a benchmark, not a test).

Builds the model from the bundled sample, starts ``python -m absa_pipeline.serving``
on 127.0.0.1 (a free port, its own process, as in the pod), and sends a bounded number
of requests over keep-alive connections (http.client; one connection per client thread):

- single: one instance per request, one client (latency);
- single xN: one instance per request, N concurrent clients (throughput);
- batch: ``--batch`` instances per request, one client.

    python benchmarks/serving_bench.py [--requests 2000] [--batch 32] [--concurrency 4]
                                       [--json PATH]

Prints p50/p99 latency (ms) and throughput; stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from absa_pipeline.model import dump_model_document, train_linear_model
from absa_pipeline.run_local import sample_data_path
from absa_pipeline.semeval import load_semeval_file

PREDICT = "/v1/models/absa:predict"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def start_server(model: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "absa_pipeline.serving", "--model-file", str(model),
         "--host", "127.0.0.1", "--port", "0", "--log-level", "info"],
        stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        found = re.search(r"on http://127\.0\.0\.1:(\d+)", line)
        if found:
            port = int(found.group(1))
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # drain
            for _ in range(300):
                try:
                    status, _ = get(port, "/v1/models/absa")
                    if status == 200:
                        return proc, port
                except OSError:
                    time.sleep(0.02)
            break
    proc.kill()
    raise SystemExit("the server did not start")


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def connect(port: int) -> http.client.HTTPConnection:
    """A keep-alive connection with TCP_NODELAY, as urllib3/httpx clients set it.

    http.client writes the headers and the body in two sends: without TCP_NODELAY, Nagle's
    algorithm holds the body until the server's delayed ACK (~40 ms on Linux), which would
    measure the client's socket options, not the server.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.connect()
    assert connection.sock is not None
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def run_client(port: int, bodies: list[bytes]) -> list[float]:
    """Sends the bodies in order over one keep-alive connection; returns latencies (s)."""
    connection = connect(port)
    headers = {"Content-Type": "application/json"}
    latencies = []
    try:
        for body in bodies:
            started = time.perf_counter()
            connection.request("POST", PREDICT, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                raise SystemExit(f"HTTP {response.status}: {payload[:200]!r}")
    finally:
        connection.close()
    return latencies


def scenario(name: str, port: int, bodies: list[bytes], clients: int,
             per_request: int) -> dict[str, Any]:
    run_client(port, bodies[: min(100, len(bodies))])  # warm-up
    share = [bodies[i::clients] for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda part: run_client(port, part), share))
    elapsed = time.perf_counter() - started
    latencies = [x for part in results for x in part]
    return {"scenario": name, "requests": len(latencies), "clients": clients,
            "instances_per_request": per_request,
            "p50_ms": round(percentile(latencies, 50) * 1000, 2),
            "p99_ms": round(percentile(latencies, 99) * 1000, 2),
            "requests_per_s": round(len(latencies) / elapsed, 1),
            "instances_per_s": round(len(latencies) * per_request / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000,
                        help="requests per single-instance scenario")
    parser.add_argument("--batch", type=int, default=32, help="instances per batched request")
    parser.add_argument("--batch-requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    records = [r for r in load_semeval_file(str(sample_data_path("sample_test.xml")))
               if r["polarity"] != "conflict"]
    instances = [{"text": r["text"], "aspect": r["term"], "from": r["from"], "to": r["to"]}
                 for r in records]
    singles = [json.dumps({"instances": [instances[i % len(instances)]]}).encode()
               for i in range(args.requests)]
    batches = [json.dumps({"instances": [instances[(i * args.batch + k) % len(instances)]
                                         for k in range(args.batch)]}).encode()
               for i in range(args.batch_requests)]
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "model"
        train = load_semeval_file(str(sample_data_path("sample_train.xml")))
        model.write_text(dump_model_document(train_linear_model(train)), encoding="utf-8")
        proc, port = start_server(model)
        try:
            results = [
                scenario("single", port, singles, 1, 1),
                scenario(f"single x{args.concurrency}", port, singles, args.concurrency, 1),
                scenario(f"batch {args.batch}", port, batches, 1, args.batch),
            ]
        finally:
            proc.terminate()
            proc.wait(15)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"model server benchmark ({machine}; server: 1 uvicorn process)")
    print(f"{'scenario':<12} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} "
          f"{'inst/s':>8}")
    for r in results:
        print(f"{r['scenario']:<12} {r['requests']:>8} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
              f"{r['requests_per_s']:>8.1f} {r['instances_per_s']:>8.1f}")
    if args.json is not None:
        args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=2)
                             + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
