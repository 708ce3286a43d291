"""The bare baseline of the tracked redirect: Flask and the stdlib sqlite3 module, nothing else.

Per request: one indexed SELECT of the share by its code, one INSERT of a click row
(autocommit), and a 302 to the stored URL; 404 for an unknown code. One connection per
worker (thread), with the journal settings the app uses (WAL, synchronous=NORMAL, a busy
timeout), so both write the same way to the same schema.

    BENCH_BARE_DB=/tmp/bench/redirect/bare.sqlite gunicorn -w 2 bench.bare_app:app

bench/redirect.py starts it next to the real app; it is not part of the product.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import threading

from flask import Flask, abort, redirect, request
from werkzeug.wrappers import Response

DATABASE = os.environ.get("BENCH_BARE_DB", "")
app = Flask(__name__)
_local = threading.local()


def connection() -> sqlite3.Connection:
    con: sqlite3.Connection | None = getattr(_local, "con", None)
    if con is None:
        con = sqlite3.connect(DATABASE, isolation_level=None, check_same_thread=False)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA busy_timeout=10000")
        _local.con = con
    return con


@app.get("/r/<code>")
def tracked(code: str) -> Response:
    con = connection()
    row = con.execute("SELECT id, network, target_url FROM share WHERE code = ?",
                      (code,)).fetchone()
    if row is None:
        abort(404)
    visitor = hashlib.sha256(
        f"{request.remote_addr}\n{request.headers.get('User-Agent', '')}".encode()
    ).hexdigest()[:32]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    con.execute("INSERT INTO click (share_id, network, clicked_at, visitor_hash, "
                "visitor_hash_prev) VALUES (?, ?, ?, ?, ?)",
                (row[0], row[1], now, visitor, visitor))
    return redirect(row[2], code=302)
