"""A throwaway PostgreSQL cluster of its own, for fault tests that restart the server.

Usage (a library for bench.faults; run alone it starts a cluster, prints its URL, waits
for Enter and removes it):

    python -m bench.pgcluster --port 55433

The cluster lives in a temporary directory (data and unix socket), listens on
127.0.0.1:<port> only, trusts local connections (user postgres, no password) and is
stopped and deleted at the end. As root, initdb and pg_ctl run as the `postgres` user
(`runuser -u postgres --`), which owns the directory. The shared server on port 5432 is
never touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


class Cluster:
    """initdb + pg_ctl in a temporary directory; `restart()` is `pg_ctl restart -m fast`."""

    def __init__(self, port: int = 55433, settings: Sequence[str] = ()) -> None:
        self.port = port
        self.settings = list(settings)
        self.root = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log = self.root / "server.log"
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check)

    def _options(self) -> str:
        options = [f"-p {self.port}", "-c listen_addresses=127.0.0.1",
                   f"-c unix_socket_directories={self.socket_dir}"]
        options += [f"-c {setting}" for setting in self.settings]
        return " ".join(options)

    def start(self) -> Cluster:
        self.socket_dir.mkdir(parents=True)
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "60", "-o", self._options(), "start")
        return self

    def restart(self) -> float:
        """Fast restart (active connections are terminated); the seconds it took."""
        started = time.monotonic()
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "60", "-m", "fast", "-o", self._options(), "restart")
        return time.monotonic() - started

    def stop(self) -> None:
        if self.data.exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast",
                      "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return list(cursor.fetchall()) if cursor.description else []

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pgcluster",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=55433)
    args = parser.parse_args(argv)
    with Cluster(args.port) as cluster:
        print(cluster.url(), cluster.query("SELECT version()")[0][0], flush=True)
        input("Enter stops and removes the cluster ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
