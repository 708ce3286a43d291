"""Helpers shared by the benchmark scripts: URLs, machine description, servers, output."""

from __future__ import annotations

import json
import os
import platform
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
# A current desktop browser: the app stores clicks only for visitors that are not bots.
BROWSER_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")
BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "bench-password-1"  # noqa: S105 - a published benchmark login


def backend(url: str) -> str:
    return sa.make_url(url).get_backend_name()


def sqlite_path(url: str) -> Path:
    database = sa.make_url(url).database
    if not database or database == ":memory:":
        raise SystemExit("a SQLite benchmark needs a file database")
    return Path(database)


def pg_conninfo(url: str) -> str:
    """A libpq URI for psycopg from a SQLAlchemy URL (driver suffix removed)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_admin_conninfo(url: str) -> str:
    """The same server, maintenance database `postgres`, no options."""
    parsed = sa.make_url(url).set(drivername="postgresql", database="postgres", query={})
    return parsed.render_as_string(hide_password=False)


def _run(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    lscpu = {}
    for line in _run(["lscpu"]).splitlines():
        key, _sep, value = line.partition(":")
        lscpu[key.strip()] = value.strip()
    mem_kb = 0
    with open("/proc/meminfo", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    pg = _run(["psql", "--version"]).strip()
    return {
        "cpu": lscpu.get("Model name", platform.processor()),
        "cpus": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql_client": pg,
        "revision": revision(),
    }


def revision() -> str:
    """The commit measured, with "+dirty" when the app's files differ from it."""
    commit = _run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]).strip()
    dirty = _run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "advocacy",
                  "templates", "migrations", "app.py"]).strip()
    return f"{commit}{'+dirty' if dirty else ''}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


class Gunicorn:
    """One gunicorn master with its workers, in its own process group, stopped by its pid."""

    def __init__(self, target: str, workers: int, env: dict[str, str], log: Path,
                 worker_class: str = "sync", threads: int = 1) -> None:
        self.port = free_port()
        self.args = [PYTHON, "-m", "gunicorn", "--workers", str(workers),
                     "--worker-class", worker_class, "--threads", str(threads),
                     "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
                     "--backlog", "2048", "--timeout", "120", target]
        self.env = {**os.environ, **env}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log.open("ab")
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=handle,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, self.process)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


WRK_LUA = Path(__file__).resolve().parent / "wrk.lua"


def wrk(url: str, seconds: int, connections: int, mode: str, value: str, seed: int,
        proxied: bool, cookie: str | None = None) -> dict[str, Any]:
    """Run wrk with bench/wrk.lua (a browser User-Agent, so the app records clicks) and
    return the numbers of its BENCH line plus its whole output."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout",
            "10s", "-H", f"User-Agent: {BROWSER_UA}"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    args += ["-s", str(WRK_LUA), url, "--", mode, value, str(seed), "1" if proxied else "0"]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in output.splitlines() if ln.startswith("BENCH "))
    return {"output": output, **{k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def save(name: str, data: Any) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def sqlite_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
               if p.exists())


def human_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{size:.1f} GiB"
