"""Scale data for the benchmarks: people, content, shares and clicks, reproducible from a seed.

Usage (from the project root, in the venv):

    python -m bench.generate --preset small --url sqlite:////tmp/bench/small.sqlite
    python -m bench.generate --preset large --url sqlite:////tmp/bench/large.sqlite
    python -m bench.generate --preset large \\
        --url postgresql://postgres@127.0.0.1:5432/advocacy_bench_large
    python -m bench.generate --users 10000 --items 5000 --shares 1000000 --clicks 10000000 \\
        --seed 7 --anchor 2026-11-21T12:00:00 --url sqlite:////tmp/bench/big.sqlite
    python -m bench.generate --drop --url postgresql://postgres@127.0.0.1:5432/advocacy_bench_large

Presets: small = 10,000 users, 5,000 items, 10,000 shares, 100,000 clicks; large = 10,000
users, 5,000 items, 1,000,000 shares, 10,000,000 clicks. Explicit counts override a preset.

A summary (row counts, seconds per phase, size, machine) goes to
bench/out/generate-<backend>-<database name>.json.

The schema comes from the real migrations (`tests.support.migrate`); the rows are then
bulk-loaded: SQLite through a raw sqlite3 connection (journal and syncing off during the load,
executemany), PostgreSQL through COPY. The secondary indexes of click, share and point_total
(and, on PostgreSQL, every foreign key) are dropped before the load and recreated afterwards
from the definitions the migrations created, so the schema ends identical (checked by
`--verify`, on by default). PostgreSQL gets its sequences moved past the loaded ids and a
VACUUM ANALYZE (what autovacuum would do); SQLite is left without ANALYZE, as the app leaves it.

A PostgreSQL URL names a database of its own: it is created here, and `--replace` / `--drop`
drop it (only databases whose name contains "bench").

What the rows look like, and what is derived from them the way the app would have:
  * people: tiers ~5/20/75 %, 20 departments and 10 locations (everyone in one of each, some
    in two departments), ~90 % German; everyone has the employee role, a few comms, hr and
    admin. User 1 is the benchmark login bench@example.com / bench-password-1, also HR (its scrypt
    hash is the only value that differs between two runs with the same seed and anchor).
  * items: approved and live, spread over the ~year before the anchor, 70 % untargeted,
    the rest targeted at tiers and/or groups; 1-3 share texts each, 1-3 topics, a few pinned.
  * shares: over the 365 days before the anchor, power-law over people (weight rank^-0.8),
    each on an item that was live then and visible to the sharer; ids in time order.
  * clicks: after their share (exponential delay, mean 6 h, none after the anchor), ids in
    time order, random 32-hex visitor hashes; ~10 % repeat an earlier counted visitor of the
    same share within 24 hours and are stored as not counted, the rest are counted.
  * counters: share.click_count, content_item.share_count/click_count and
    share_text.times_used equal the generated rows; job_state "clicks" = the highest click
    id (every click judged).
  * points: point_total for day/week/month/quarter/all from the shares (share 5, first
    share 20) and the counted clicks (1), in the app's time zone. Differences from the app:
    the daily cap is ignored, and no point_entry ledger is written (the benchmarked pages
    read only point_total).

Same seed, same anchor and same counts give the same rows.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import heapq
import itertools
import json
import random
import sqlite3
import string
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import sqlalchemy as sa

from bench.common import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    backend,
    human_bytes,
    machine,
    pg_admin_conninfo,
    pg_conninfo,
    save,
    sqlite_path,
    sqlite_size,
)

PRESETS = {
    "small": {"users": 10_000, "items": 5_000, "shares": 10_000, "clicks": 100_000},
    "large": {"users": 10_000, "items": 5_000, "shares": 1_000_000, "clicks": 10_000_000},
}
US = 1_000_000  # microseconds per second
HOUR = 3600 * US
DAY = 24 * HOUR
CODE_ALPHABET = string.ascii_letters + string.digits
NETWORKS = (("linkedin", 50), ("xing", 12), ("x", 10), ("mastodon", 6), ("bluesky", 6),
            ("facebook", 6), ("whatsapp", 6), ("email", 4))
DEPARTMENTS = ("Vertrieb", "Marketing", "Kommunikation", "Personal", "Finanzen", "Einkauf",
               "Logistik", "Produktion", "Qualität", "Forschung", "Entwicklung", "IT",
               "Recht", "Service", "Strategie", "Controlling", "Beratung", "Produktmanagement",
               "Innovation", "Nachhaltigkeit")
LOCATIONS = ("Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Düsseldorf",
             "Leipzig", "Dresden", "Wien")
TOPICS = ("Karriere", "Nachhaltigkeit", "Produkte", "Innovation", "Veranstaltungen",
          "Kundenstimmen", "Forschung", "Ausbildung", "Digitalisierung", "Messen", "Presse",
          "Vielfalt", "Gesundheit", "Standorte", "Partner", "Auszeichnungen", "Technik",
          "Mobilität", "Energie", "Software", "Daten", "Sicherheit", "Service", "Kultur")
FIRST = ("Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Jonas", "Julia",
         "Karl", "Lena", "Lukas", "Marie", "Max", "Mia", "Noah", "Paul", "Sophie", "Tim",
         "Elif", "Mehmet", "Olga", "Piotr", "Aylin", "Yusuf", "Chiara", "Luca", "Sara", "Omar")
LAST = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
        "Schwarz", "Zimmermann", "Braun", "Krüger", "Yılmaz", "Kaya", "Nowak", "Kowalski",
        "Rossi", "Popescu", "Hartmann", "Lange", "Werner", "Krause")
WORDS = ("Zukunft", "Team", "Kunden", "Lösung", "Projekt", "Erfolg", "Qualität", "Wachstum",
         "Digital", "Nachhaltig", "Gemeinsam", "Neu", "Einblick", "Blick", "Wandel", "Idee",
         "Partner", "Werk", "Markt", "Energie", "Daten", "Praxis", "Wissen", "Chance")
COMPANY = "Beispiel AG"
BASE_URL = "https://advocacy.example.com"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.generate",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the target database")
    parser.add_argument("--preset", choices=sorted(PRESETS))
    for name in ("users", "items", "shares", "clicks"):
        parser.add_argument(f"--{name}", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--anchor", help="'now' of the data, ISO UTC (default: now, to the "
                        "minute); pass the printed value to reproduce a run exactly")
    parser.add_argument("--timezone", default="Europe/Berlin",
                        help="the app's TIMEZONE, for the point periods")
    parser.add_argument("--replace", action="store_true", help="overwrite an existing target")
    parser.add_argument("--drop", action="store_true", help="only delete the target and exit")
    parser.add_argument("--no-verify", dest="verify", action="store_false",
                        help="skip the consistency and schema checks after the load")
    args = parser.parse_args(argv)
    counts = dict(PRESETS[args.preset]) if args.preset else {}
    for name in ("users", "items", "shares", "clicks"):
        if getattr(args, name) is not None:
            counts[name] = getattr(args, name)
    if not args.drop and set(counts) != {"users", "items", "shares", "clicks"}:
        parser.error("give --preset or all of --users --items --shares --clicks")
    args.counts = counts
    return args


# --------------------------------------------------------------------------- formatting

class Timestamps:
    """Epoch microseconds to the text SQLAlchemy stores (SQLite: naive UTC with six
    decimals; PostgreSQL: the same with +00), cached per hour because it runs 20M times."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        self.hours: dict[int, str] = {}

    def __call__(self, us: int) -> str:
        seconds, micro = divmod(us, US)
        hour, rest = divmod(seconds, 3600)
        prefix = self.hours.get(hour)
        if prefix is None:
            prefix = dt.datetime.fromtimestamp(hour * 3600, dt.UTC).strftime("%Y-%m-%d %H:")
            self.hours[hour] = prefix
        minute, second = divmod(rest, 60)
        return f"{prefix}{minute:02d}:{second:02d}.{micro:06d}{self.suffix}"


class LocalDays:
    """Epoch microseconds to the local date's ordinal in the app's time zone (cached per
    UTC hour: the zones we care about change offset on the hour)."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self.hours: dict[int, int] = {}

    def __call__(self, us: int) -> int:
        hour = us // HOUR
        day = self.hours.get(hour)
        if day is None:
            day = dt.datetime.fromtimestamp(hour * 3600, self.zone).date().toordinal()
            self.hours[hour] = day
        return day


# --------------------------------------------------------------------------- loaders

class Loader(ABC):
    """How rows reach one kind of database; `finish` rebuilds what the load skipped."""

    timestamp_suffix = ""
    big_tables = ("click", "share", "point_total")

    @abstractmethod
    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Store `rows`; return how many."""

    @abstractmethod
    def finish(self) -> dict[str, float]:
        """Indexes, constraints and statistics after the load; seconds per step."""


class SqliteLoader(Loader):
    """executemany on one raw connection, no journal, no fsync; indexes rebuilt at the end."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=OFF")
        self.con.execute("PRAGMA synchronous=OFF")
        self.con.execute("PRAGMA cache_size=-1000000")  # 1 GB page cache for the index builds
        self.con.execute("PRAGMA temp_store=MEMORY")
        marks = ",".join("?" * len(self.big_tables))
        self.indexes = self.con.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name", self.big_tables).fetchall()
        for name, _sql in self.indexes:
            self.con.execute(f'DROP INDEX "{name}"')
        self.con.execute("BEGIN")

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
               f"VALUES ({', '.join('?' * len(columns))})")
        total = 0
        iterator = iter(rows)
        while chunk := list(itertools.islice(iterator, 100_000)):
            self.con.executemany(sql, chunk)
            total += len(chunk)
        return total

    def finish(self) -> dict[str, float]:
        started = time.perf_counter()
        self.con.execute("COMMIT")
        for _name, sql in self.indexes:
            self.con.execute(sql)
        indexed = time.perf_counter()
        self.con.execute("PRAGMA journal_mode=WAL")  # what the app sets on every connection
        self.con.close()
        return {"indexes_s": indexed - started}


class PostgresLoader(Loader):
    """COPY on one connection; foreign keys and secondary indexes rebuilt at the end."""

    timestamp_suffix = "+00"

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(pg_conninfo(url))
        cur = self.conn.cursor()
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '1GB'")
        self.foreign_keys = cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' "
            "AND connamespace = current_schema()::regnamespace ORDER BY conname").fetchall()
        self.indexes = cur.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace "
            "AND t.relname = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname", [list(self.big_tables)]).fetchall()
        for table, name, _definition in self.foreign_keys:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in self.indexes:
            cur.execute(f'DROP INDEX "{name}"')
        self.conn.commit()

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        total = 0
        with self.conn.cursor() as cur, \
                cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                total += 1
        return total

    def finish(self) -> dict[str, float]:
        started = time.perf_counter()
        self.conn.commit()
        cur = self.conn.cursor()
        for _name, definition in self.indexes:
            cur.execute(definition)
        self.conn.commit()
        indexed = time.perf_counter()
        for table, name, definition in self.foreign_keys:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self.conn.commit()
        keyed = time.perf_counter()
        for table in ("user_account", "org_group", "topic", "campaign", "content_item",
                      "share_text", "share", "click"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                        f"FROM {table} HAVING max(id) IS NOT NULL")
        self.conn.commit()
        self.conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
        self.conn.close()
        done = time.perf_counter()
        return {"indexes_s": indexed - started, "foreign_keys_s": keyed - indexed,
                "vacuum_analyze_s": done - keyed}


# --------------------------------------------------------------------------- the data

class Generator:
    def __init__(self, counts: dict[str, int], seed: int, anchor: dt.datetime,
                 timezone: str, loader: Loader, log: Callable[[str], None]) -> None:
        self.n = counts
        self.seed = seed
        self.anchor_us = int(anchor.timestamp()) * US
        self.loader = loader
        self.ts = Timestamps(loader.timestamp_suffix)
        self.local_day = LocalDays(timezone)
        self.log = log
        self.rows: dict[str, int] = {}
        # Points per (user * 1_000_000 + local day ordinal): [points, last award in µs].
        self.points: dict[int, list[int]] = {}

    def rng(self, stream: int) -> random.Random:
        """One stream per kind of row, so changing one count leaves the others alone."""
        return random.Random(self.seed * 1000 + stream)

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        started = time.perf_counter()
        count = self.loader.write(table, columns, rows)
        self.rows[table] = self.rows.get(table, 0) + count
        self.log(f"  {table:<12} {count:>11,} rows  {time.perf_counter() - started:7.1f} s")

    def award(self, user_id: int, points: int, at_us: int) -> None:
        key = user_id * 1_000_000 + self.local_day(at_us)
        entry = self.points.get(key)
        if entry is None:
            self.points[key] = [points, at_us]
        else:
            entry[0] += points
            if at_us > entry[1]:
                entry[1] = at_us

    # ---- people

    def people(self, password_hash: str) -> None:
        rng = self.rng(1)
        n = self.n["users"]
        ts = self.ts
        now = self.anchor_us
        groups = [(i + 1, "department", name) for i, name in enumerate(DEPARTMENTS)] + \
                 [(len(DEPARTMENTS) + i + 1, "location", name) for i, name in enumerate(LOCATIONS)]
        self.write("org_group", ("id", "kind", "name", "created_at"),
                   [(gid, kind, name, ts(now - 400 * DAY)) for gid, kind, name in groups])
        departments = [g[0] for g in groups if g[1] == "department"]
        locations = [g[0] for g in groups if g[1] == "location"]
        self.user_tier: list[int] = [0] * (n + 1)
        self.user_groups: list[frozenset[int]] = [frozenset()] * (n + 1)
        self.user_langs: list[tuple[str, ...]] = [()] * (n + 1)
        users, memberships, roles = [], [], []
        n_comms, n_hr, n_admin = max(2, n // 500), max(1, n // 2000), max(1, n // 3000)
        networks = [key for key, _weight in NETWORKS]
        for uid in range(1, n + 1):
            if uid == 1:
                email, name, language, tier, active = BENCH_EMAIL, "Bench User", "de", 3, True
                content_languages, opt_in, pw = None, True, password_hash
                member = {departments[0], locations[0]}
            else:
                email = f"user{uid:06d}@example.com"
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                language = "de" if rng.random() < 0.9 else "en"
                roll = rng.random()
                tier = 1 if roll < 0.05 else 2 if roll < 0.25 else 3
                active = rng.random() < 0.98
                roll = rng.random()
                content_languages = None if roll < 0.85 else "de,en" if roll < 0.97 else "en"
                opt_in = rng.random() < 0.4
                pw = None
                member = {rng.choice(departments), rng.choice(locations)}
                if rng.random() < 0.05:
                    member.add(rng.choice(departments))
            created = now - 400 * DAY + rng.randrange(30 * DAY)
            users.append((uid, email, name, language, tier, active, pw, 1, ts(created),
                          ts(created), None, content_languages,
                          rng.choice(networks) if rng.random() < 0.6 else None, None, opt_in))
            self.user_tier[uid] = tier
            self.user_groups[uid] = frozenset(member)
            self.user_langs[uid] = tuple(c for c in (content_languages or language).split(","))
            memberships.extend((uid, gid) for gid in sorted(member))
            roles.append((uid, "employee"))
            if uid == 1:  # the benchmark login also reads the reports, as HR
                roles.append((uid, "hr"))
            elif 2 <= uid < 2 + n_comms:
                roles.append((uid, "comms"))
            elif 2 + n_comms <= uid < 2 + n_comms + n_hr:
                roles.append((uid, "hr"))
            elif 2 + n_comms + n_hr <= uid < 2 + n_comms + n_hr + n_admin:
                roles.append((uid, "admin"))
        self.comms_ids = list(range(2, 2 + n_comms))
        self.write("user_account", (
            "id", "email", "name", "language", "tier_id", "is_active", "password_hash",
            "session_version", "created_at", "invited_at", "last_login_at",
            "content_languages", "last_network", "mastodon_instance", "leaderboard_opt_in"),
            users)
        self.write("user_role", ("user_id", "role"), roles)
        self.write("user_group", ("user_id", "group_id"), memberships)
        self.write("setting", ("key", "value", "updated_at"),
                   [("company_name", COMPANY, ts(now - 400 * DAY))])
        # The benchmark user's worksheet terms, so the feed is ranked as for anyone who
        # filled in the worksheet (services.terms_of writes these rows on save).
        self.write("brand_term", ("user_id", "kind", "term"),
                   [(1, "topic", t.lower()) for t in TOPICS[:3]]
                   + [(1, "hashtag", f"#{w.lower()}") for w in WORDS[:4]])

    # ---- content

    def content(self) -> None:
        rng = self.rng(2)
        n = self.n["items"]
        now = self.anchor_us
        self.write("topic", ("id", "name"), list(enumerate(TOPICS, start=1)))
        campaigns = [(i, f"Kampagne {i}", f"kampagne-{i}", "Mehr Sichtbarkeit",
                      (dt.date.fromordinal(self.local_day(now)) - dt.timedelta(days=30 * i))
                      .isoformat(), None, self.ts(now - 30 * i * DAY)) for i in range(1, 13)]
        self.write("campaign", ("id", "name", "slug", "goal", "starts_on", "ends_on",
                                "created_at"), campaigns)
        self.item_live: list[int] = [0] * (n + 1)
        self.item_lang: list[str] = [""] * (n + 1)
        self.item_tiers: list[frozenset[int]] = [frozenset()] * (n + 1)
        self.item_groups: list[frozenset[int]] = [frozenset()] * (n + 1)
        self.item_url: list[str] = [""] * (n + 1)
        self.item_campaign: list[str | None] = [None] * (n + 1)
        self.item_texts: list[list[tuple[int, str | None, str]]] = [[] for _ in range(n + 1)]
        self.item_fields: list[tuple[Any, ...]] = [()] * (n + 1)
        topics_rows, tier_rows, group_rows = [], [], []
        self.texts: list[tuple[Any, ...]] = []  # share_text rows without times_used
        n_groups = len(DEPARTMENTS) + len(LOCATIONS)
        pinned = set(rng.sample(range(1, n + 1), k=min(3, n)))
        for iid in range(1, n + 1):
            live = now - HOUR - rng.randrange(380 * DAY)
            language = "de" if rng.random() < 0.85 else "en"
            roll = rng.random()
            tiers: set[int] = set()
            groups: set[int] = set()
            if 0.70 <= roll < 0.82 or roll >= 0.94:
                tiers = set(rng.choice(((1,), (1, 2), (2,), (2, 3))))
            if roll >= 0.82:
                groups = set(rng.sample(range(1, n_groups + 1), k=rng.randint(1, 3)))
            campaign = rng.randint(1, 12) if rng.random() < 0.3 else None
            words = rng.sample(WORDS, k=3)
            title = f"{words[0]} und {words[1]}: {words[2]} #{iid}"
            url = f"https://www.example.com/{'de' if language == 'de' else 'en'}/news/{iid}"
            summary = (f"{words[0]} für {rng.choice(LOCATIONS)}: wie unser Team "
                       f"{words[1].lower()} und {words[2].lower()} zusammenbringt. " * 2).strip()
            expire = now + rng.randint(30, 90) * DAY if rng.random() < 0.03 else None
            publish = live if rng.random() < 0.2 else None
            source = rng.choices(("external", "own", "personal"), weights=(5, 3, 2))[0]
            creator, approver = rng.sample(self.comms_ids, k=2) \
                if len(self.comms_ids) > 1 else (self.comms_ids[0], self.comms_ids[0])
            self.item_live[iid] = live
            self.item_lang[iid] = language
            self.item_tiers[iid] = frozenset(tiers)
            self.item_groups[iid] = frozenset(groups)
            self.item_url[iid] = url
            self.item_campaign[iid] = f"kampagne-{campaign}" if campaign else None
            self.item_fields[iid] = (
                iid, title, url, summary, f"<p>{summary}</p><p>{title}</p>", None, "", "", "",
                None, f"#{words[0]} #{words[1]}", language, source,
                rng.choice(("educate", "inform", "inspire", "entertain")), campaign,
                "approved", self.ts(publish) if publish else None,
                self.ts(expire) if expire else None, self.ts(live), iid in pinned, creator,
                None, approver, self.ts(live), None, self.ts(live - 2 * HOUR), self.ts(live))
            for topic in rng.sample(range(1, len(TOPICS) + 1), k=rng.randint(1, 3)):
                topics_rows.append((iid, topic))
            tier_rows.extend((iid, t) for t in sorted(tiers))
            group_rows.extend((iid, g) for g in sorted(groups))
            for position in range(rng.randint(1, 3)):
                network = (None, "linkedin", "x")[position]
                tier = 1 if position == 2 and rng.random() < 0.5 else None
                text = f"{title} – lesenswert! Variante {position + 1}."
                text_id = len(self.texts) + 1
                self.texts.append((text_id, iid, network, tier, text, position))
                self.item_texts[iid].append((text_id, network, text))
        self.write("item_topic", ("item_id", "topic_id"), topics_rows)
        self.write("item_tier", ("item_id", "tier_id"), tier_rows)
        self.write("item_group", ("item_id", "group_id"), group_rows)
        self.by_live = sorted(range(1, n + 1), key=lambda i: (self.item_live[i], i))
        self.live_times = [self.item_live[i] for i in self.by_live]

    def visible(self, user: int, item: int) -> bool:
        """The feed's targeting rules (services._visible_to) for one person and item."""
        tiers, groups = self.item_tiers[item], self.item_groups[item]
        return (self.item_lang[item] in self.user_langs[user]
                and (not tiers or self.user_tier[user] in tiers)
                and (not groups or not groups.isdisjoint(self.user_groups[user])))

    # ---- shares (chosen first, written after the clicks so they carry their counts)

    def choose_shares(self) -> None:
        rng = self.rng(3)
        n, n_users = self.n["shares"], self.n["users"]
        now = self.anchor_us
        ranks = list(range(1, n_users + 1))
        rng.shuffle(ranks)
        bench_rank = max(1, n_users // 20)  # a middling sharer, not a star
        other = ranks.index(bench_rank)
        ranks[0], ranks[other] = ranks[other], ranks[0]
        cumulative = list(itertools.accumulate(r ** -0.8 for r in ranks))
        user_ids = range(1, n_users + 1)
        self.share_time = sorted(now - 60 * US - rng.randrange(365 * DAY) for _ in range(n))
        self.share_user = rng.choices(user_ids, cum_weights=cumulative, k=n)
        if n:
            self.share_user[-1] = 1  # the benchmark login shared something just now
        names = [key for key, _w in NETWORKS]
        self.share_network = rng.choices(names, weights=[w for _k, w in NETWORKS], k=n)
        self.share_item = [0] * n
        first_live = self.live_times[0]
        for index in range(n):
            moment = max(self.share_time[index], first_live)
            self.share_time[index] = moment
            self.share_item[index] = self._pick_item(rng, self.share_user[index], moment)

    def _pick_item(self, rng: random.Random, user: int, moment: int) -> int:
        """A recent item that was live then and is meant for this person."""
        available = bisect.bisect_right(self.live_times, moment)
        for _attempt in range(20):
            back = int(rng.expovariate(1 / 40))
            index = available - 1 - back if back < available else rng.randrange(available)
            item = self.by_live[index]
            if self.visible(user, item):
                return item
        for index in range(available - 1, -1, -1):  # the newest one that fits
            if self.visible(user, self.by_live[index]):
                return self.by_live[index]
        return self.by_live[available - 1]

    # ---- clicks

    def clicks(self) -> None:
        rng = self.rng(4)
        n_shares, n_clicks = self.n["shares"], self.n["clicks"]
        weights = [rng.paretovariate(1.5) for _ in range(n_shares)]
        scale = n_clicks / sum(weights) if n_shares else 0
        per_share = [int(w * scale) for w in weights]
        for _ in range(n_clicks - sum(per_share)):
            per_share[rng.randrange(n_shares)] += 1
        self.share_counted = [0] * n_shares
        self.write("click", ("id", "share_id", "network", "clicked_at", "visitor_hash",
                             "visitor_hash_prev", "counted"), self._click_rows(rng, per_share))
        self.max_click_id = self.rows.get("click", 0)

    def _click_rows(self, rng: random.Random, per_share: list[int]) -> Iterator[tuple[Any, ...]]:
        """Clicks of every share, merged into one time order (ids ascend with time)."""
        now = self.anchor_us
        mean_delay = 6 * 3600  # seconds
        longest = 30 * DAY
        bits = rng.getrandbits
        expovariate = rng.expovariate
        random_ = rng.random
        heap: list[tuple[int, int, int, str, str, bool]] = []
        push, pop = heapq.heappush, heapq.heappop
        ts, award_ = self.ts, self.award
        counted_per_share = self.share_counted
        owners, networks = self.share_user, self.share_network
        sequence = 0
        click_id = 0

        def emit(entry: tuple[int, int, int, str, str, bool]) -> tuple[Any, ...]:
            nonlocal click_id
            at, _seq, index, visitor, previous, counted = entry
            click_id += 1
            if counted:
                counted_per_share[index] += 1
                award_(owners[index], 1, at)
            return (click_id, index + 1, networks[index], ts(at), visitor, previous, counted)

        for index, start in enumerate(self.share_time):
            while heap and heap[0][0] <= start:
                yield emit(pop(heap))
            count = per_share[index]
            if not count:
                continue
            room = min(longest, now - start - US)
            moments = []
            for _ in range(count):
                delay = int(expovariate(1 / mean_delay) * US)
                if delay > room:
                    delay = int(random_() * room)
                moments.append(start + US + delay)
            moments.sort()
            last: tuple[int, str, str] | None = None  # the latest counted visit
            for at in moments:
                sequence += 1
                if last is not None and at - last[0] < DAY and random_() < 0.1:
                    push(heap, (at, sequence, index, last[1], last[2], False))
                else:
                    visitor, previous = f"{bits(128):032x}", f"{bits(128):032x}"
                    last = (at, visitor, previous)
                    push(heap, (at, sequence, index, visitor, previous, True))
        while heap:
            yield emit(pop(heap))

    def shares(self) -> None:
        rng = self.rng(5)
        n = self.n["shares"]
        self.item_shares = [0] * (self.n["items"] + 1)
        self.item_clicks = [0] * (self.n["items"] + 1)
        self.text_used = [0] * (len(self.texts) + 1)
        self.write("share", (
            "id", "code", "user_id", "item_id", "tier_id", "network", "method",
            "share_text_id", "text", "edited", "target_url", "utm_campaign", "created_at",
            "posted_at", "click_count"), self._share_rows(rng, n))

    def _share_rows(self, rng: random.Random, n: int) -> Iterator[tuple[Any, ...]]:
        seen_users: set[int] = set()
        codes: set[str] = set()
        disclosure = f"Ich arbeite bei {COMPANY}. #Mitarbeiter"
        for index in range(n):
            user, item, network = (self.share_user[index], self.share_item[index],
                                   self.share_network[index])
            at = self.share_time[index]
            code = "".join(rng.choices(CODE_ALPHABET, k=10))
            while code in codes:
                code = "".join(rng.choices(CODE_ALPHABET, k=10))
            codes.add(code)
            texts = self.item_texts[item]
            suggestion = next((t for t in texts if t[1] == network), texts[0])
            edited = rng.random() < 0.2
            text = "Meine Meinung dazu: sehr lesenswert." if edited else suggestion[2]
            if edited and rng.random() < 0.5:
                suggestion = None  # written from scratch
            else:
                self.text_used[suggestion[0]] += 1
            clicks = self.share_counted[index]
            self.item_shares[item] += 1
            self.item_clicks[item] += clicks
            self.award(user, 5, at)
            if user not in seen_users:
                seen_users.add(user)
                self.award(user, 20, at)
            yield (index + 1, code, user, item, self.user_tier[user], network, "intent",
                   suggestion[0] if suggestion else None,
                   f"{text}\n\n{disclosure}\n{BASE_URL}/r/{code}", edited, self.item_url[item],
                   self.item_campaign[item], self.ts(at), self.ts(at), clicks)
        self.sharers = len(seen_users)

    def items(self) -> None:
        n = self.n["items"]
        self.write("content_item", (
            "id", "title", "url", "summary", "body_html", "image_name", "image_alt",
            "image_licence", "image_credit", "image_licence_ends_on", "hashtags", "language",
            "source_class", "intention", "campaign_id", "state", "publish_at", "expire_at",
            "live_from", "is_pinned", "created_by_id", "submitted_by_id", "approved_by_id",
            "approved_at", "withdrawn_reason", "created_at", "updated_at", "share_count",
            "click_count"),
            ((*self.item_fields[i], self.item_shares[i], self.item_clicks[i])
             for i in range(1, n + 1)))
        self.write("share_text", ("id", "item_id", "network", "tier_id", "text", "position",
                                  "times_used"),
                   ((*row, self.text_used[row[0]]) for row in self.texts))

    # ---- points

    def point_totals(self) -> None:
        starts: dict[int, tuple[tuple[str, str], ...]] = {}
        totals: dict[tuple[int, str, str], list[int]] = {}
        for key, (points, last) in self.points.items():
            user, day = divmod(key, 1_000_000)
            periods = starts.get(day)
            if periods is None:
                periods = starts[day] = _period_starts(dt.date.fromordinal(day))
            for period_key in periods:
                entry = totals.get((user, *period_key))
                if entry is None:
                    totals[(user, *period_key)] = [points, last]
                else:
                    entry[0] += points
                    if last > entry[1]:
                        entry[1] = last
        ts = self.ts
        self.write("point_total", ("user_id", "period", "period_start", "points", "reached_at"),
                   ((user, period, start, points, ts(last))
                    for (user, period, start), (points, last) in sorted(totals.items())))
        self.write("job_state", ("key", "value"), [("clicks", self.max_click_id)])


def _period_starts(day: dt.date) -> tuple[tuple[str, str], ...]:
    from advocacy.engagement.services import period_start

    return tuple((period, period_start(period, day).isoformat())
                 for period in ("day", "week", "month", "quarter", "all"))


# --------------------------------------------------------------------------- targets

def _pg_database(url: str) -> str:
    name = sa.make_url(url).database or ""
    if "bench" not in name:
        raise SystemExit(f"refusing to touch PostgreSQL database {name!r}: benchmark "
                         "databases must have 'bench' in their name")
    return name


def drop_target(url: str) -> None:
    if backend(url) == "sqlite":
        path = sqlite_path(url)
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            candidate.unlink(missing_ok=True)
        return
    name = _pg_database(url)
    with psycopg.connect(pg_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_target(url: str, replace: bool) -> None:
    if backend(url) == "sqlite":
        path = sqlite_path(url)
        if path.exists() and not replace:
            raise SystemExit(f"{path} exists; pass --replace to overwrite it")
        drop_target(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    name = _pg_database(url)
    with psycopg.connect(pg_admin_conninfo(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not replace:
            raise SystemExit(f"database {name} exists; pass --replace to overwrite it")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_size(url: str) -> int:
    if backend(url) == "sqlite":
        return sqlite_size(sqlite_path(url))
    with psycopg.connect(pg_conninfo(url)) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) if row else 0


# --------------------------------------------------------------------------- checks

def verify(url: str, generator: Generator) -> list[str]:
    """Counters against rows, points against the rules, schema against a fresh migration."""
    problems = []
    checks = {
        "share.click_count = counted clicks":
            ("SELECT (SELECT sum(click_count) FROM share), "
             "(SELECT count(*) FROM click WHERE counted)"),
        "content_item.click_count = share.click_count":
            "SELECT (SELECT sum(click_count) FROM content_item), "
            "(SELECT sum(click_count) FROM share)",
        "content_item.share_count = shares":
            "SELECT (SELECT sum(share_count) FROM content_item), (SELECT count(*) FROM share)",
        "points (all) = 5 x shares + 20 x sharers + counted clicks":
            "SELECT (SELECT sum(points) FROM point_total WHERE period = 'all'), "
            "(SELECT 5 * count(*) + 20 * count(DISTINCT user_id) FROM share) "
            "+ (SELECT count(*) FROM click WHERE counted)",
        "points (day) = points (all)":
            "SELECT (SELECT sum(points) FROM point_total WHERE period = 'day'), "
            "(SELECT sum(points) FROM point_total WHERE period = 'all')",
        "job_state clicks = max click id":
            "SELECT (SELECT value FROM job_state WHERE key = 'clicks'), "
            "(SELECT coalesce(max(id), 0) FROM click)",
        "clicks after their share":
            "SELECT (SELECT count(*) FROM click JOIN share ON share.id = click.share_id "
            "WHERE click.clicked_at < share.created_at), 0",
    }
    if backend(url) == "sqlite":
        with sqlite3.connect(sqlite_path(url)) as con:
            for name, sql in checks.items():
                left, right = con.execute(sql).fetchone()
                if (left or 0) != (right or 0):
                    problems.append(f"{name}: {left} != {right}")
            broken = con.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                problems.append(f"foreign keys: {len(broken)} broken, e.g. {broken[:3]}")
            ours = _sqlite_schema(con)
        fresh = sqlite_path(url).with_name(sqlite_path(url).name + ".schema-check")
        drop_target(f"sqlite:///{fresh}")
        _migrate(f"sqlite:///{fresh}")
        with sqlite3.connect(fresh) as con:
            expected = _sqlite_schema(con)
        drop_target(f"sqlite:///{fresh}")
        if ours != expected:
            problems.append(f"schema differs from a fresh migration: "
                            f"{sorted(set(ours) ^ set(expected))[:4]}")
        return problems
    with psycopg.connect(pg_conninfo(url), autocommit=True) as conn:
        for name, sql in checks.items():
            row = conn.execute(sql).fetchone()
            left, right = row if row else (None, None)
            if (left or 0) != (right or 0):
                problems.append(f"{name}: {left} != {right}")
        ours = _pg_schema(conn, "public")
        conn.execute("DROP SCHEMA IF EXISTS bench_schema_check CASCADE")
        conn.execute("CREATE SCHEMA bench_schema_check")
    check_url = sa.make_url(url).update_query_dict(
        {"options": "-csearch_path=bench_schema_check"}).render_as_string(hide_password=False)
    try:
        _migrate(check_url)
        with psycopg.connect(pg_conninfo(url), autocommit=True) as conn:
            expected = _pg_schema(conn, "bench_schema_check")
    finally:
        with psycopg.connect(pg_conninfo(url), autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS bench_schema_check CASCADE")
    if ours != expected:
        problems.append(f"schema differs from a fresh migration: "
                        f"{sorted(set(ours) ^ set(expected))[:4]}")
    return problems


def _sqlite_schema(con: sqlite3.Connection) -> list[tuple[str, ...]]:
    """Every table and index definition. The lines of a CREATE TABLE are sorted: Alembic's
    batch mode (a table rebuilt by a migration) writes the constraints in set order, which
    differs between two processes."""
    rows = con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                       "ORDER BY type, name").fetchall()
    return [(kind, name, table, "\n".join(sorted(line.strip().rstrip(",")
                                                 for line in (sql or "").splitlines())))
            for kind, name, table, sql in rows]


def _pg_schema(conn: psycopg.Connection[Any], schema: str) -> list[tuple[str, ...]]:
    """Columns, constraints and indexes of a schema, with the schema name taken out."""
    columns = conn.execute(
        "SELECT table_name, column_name, data_type, is_nullable, "
        "coalesce(column_default, '') FROM information_schema.columns "
        "WHERE table_schema = %s", [schema]).fetchall()
    constraints = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE connamespace = %s::regnamespace", [schema]).fetchall()
    indexes = conn.execute("SELECT tablename, indexname, indexdef FROM pg_indexes "
                           "WHERE schemaname = %s", [schema]).fetchall()
    rows = [tuple(str(v).replace(f"{schema}.", "") for v in row)
            for row in [*columns, *constraints, *indexes]]
    return sorted(rows)


def _roll_up(url: str, timezone: str, anchor: dt.datetime) -> float:
    """The report rollups and cells, computed by the app's own job code (its first, full
    run); returns the seconds the cells took."""
    from sqlalchemy.orm import Session

    from advocacy.db import make_engine
    from advocacy.reports.cells import refresh
    from advocacy.reports.rollup import rebuild_all

    engine = make_engine(url)
    with Session(engine) as session:
        rebuild_all(session, timezone, anchor)
        started = time.perf_counter()
        refresh(session, anchor.astimezone(ZoneInfo(timezone)).date())
        session.commit()
    engine.dispose()
    return time.perf_counter() - started


def _migrate(url: str) -> None:
    from tests.support import migrate

    migrate(url)


# --------------------------------------------------------------------------- main

def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.drop:
        drop_target(args.url)
        print(f"dropped {args.url}")
        return 0
    anchor = (dt.datetime.fromisoformat(args.anchor).replace(tzinfo=dt.UTC) if args.anchor
              else dt.datetime.now(dt.UTC).replace(second=0, microsecond=0))

    def log(message: str) -> None:
        print(message, flush=True)

    counts = args.counts
    log(f"generating {counts} seed={args.seed} anchor={anchor.isoformat()} into {args.url}")
    from advocacy.security import hash_password

    password_hash = hash_password(BENCH_PASSWORD)
    started = time.perf_counter()
    prepare_target(args.url, args.replace)
    _migrate(args.url)
    migrated = time.perf_counter()
    log(f"schema migrated in {migrated - started:.1f} s")
    loader: Loader = SqliteLoader(sqlite_path(args.url)) if backend(args.url) == "sqlite" \
        else PostgresLoader(args.url)
    generator = Generator(counts, args.seed, anchor, args.timezone, loader, log)
    generator.people(password_hash)
    generator.content()
    phase = time.perf_counter()
    generator.choose_shares()
    log(f"  (shares chosen in {time.perf_counter() - phase:.1f} s)")
    generator.clicks()
    generator.shares()
    generator.items()
    generator.point_totals()
    loaded = time.perf_counter()
    log(f"rows loaded in {loaded - migrated:.1f} s; rebuilding indexes")
    finish = loader.finish()
    indexed = time.perf_counter()
    log("computing the report rollups and cells with the app's job")
    finish["cells_s"] = round(_roll_up(args.url, args.timezone, anchor), 1)
    finish["rollups_s"] = round(time.perf_counter() - indexed - finish["cells_s"], 1)
    done = time.perf_counter()
    size = database_size(args.url)
    log(f"done: {done - started:.1f} s in all, database {human_bytes(size)}")
    result: dict[str, Any] = {
        "url": args.url, "backend": backend(args.url), "counts": counts, "seed": args.seed,
        "anchor": anchor.isoformat(), "rows": generator.rows, "sharers": generator.sharers,
        "counted_clicks": sum(generator.share_counted),
        "seconds": {"total": round(done - started, 1), "migrate": round(migrated - started, 1),
                    "load": round(loaded - migrated, 1),
                    **{k: round(v, 1) for k, v in finish.items()}},
        "size_bytes": size, "size": human_bytes(size), "machine": machine(),
        "command": " ".join(["python -m bench.generate", *sys.argv[1:]]),
    }
    if args.verify:
        checked = time.perf_counter()
        problems = verify(args.url, generator)
        result["verify"] = {"problems": problems,
                            "seconds": round(time.perf_counter() - checked, 1)}
        log(f"verify: {problems or 'OK'} "
            f"({time.perf_counter() - checked:.1f} s)")
    target = sa.make_url(args.url).database or "db"
    name = f"generate-{result['backend']}-{Path(target).stem}.json"
    save(name, result)
    log(json.dumps({k: result[k] for k in ("rows", "seconds", "size")}, indent=None))
    return 1 if result.get("verify", {}).get("problems") else 0


if __name__ == "__main__":
    raise SystemExit(main())
