"""The supplies ledger at 1,000 and at 1,000,000 entries: reading a holder's balance and
recording an entry stay flat; twenty hand-outs at once against a stock of ten leave exactly ten.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ledger \\
        .venv/bin/python -m benchmarks.ledger [--entries 1000000]

(Re)creates two scratch databases on that server (the embedded one when DATABASE_URL is unset):
the one DATABASE_URL names (`--database` overrides it; `bench_ledger` when it names none or the
maintenance database `postgres`, which is never touched) for the big ledger, and the same name
with `_base` for the small one. In each, in a process of its own, a county of 10 townships with
10 communities each holds the source's 12 items, and the ledger is filled by
`INSERT … SELECT … generate_series` in batches of `--batch` rows, each its own transaction,
through the real triggers (vouchers numbered, balances and stock cards kept): donations,
coordinations by a team, and hand-outs to residents, spread over every holder and item and two
years; `--base` entries (1,000) in one, `--entries` (1,000,000) in the other. Measured against
each, as the secretary of one community:

- balance: the holder's balance of one item, as the balances page reads it
  (`Balance.objects.visible_to(secretary)`);
- balances: all of the holder's balances (`balances_for_list`, the page's rows);
- history sum, for contrast only (nothing reads it): the same balance summed from the holder's
  stock card, what every read would cost without the kept balance;
- record a hand-out and record a donation: `services.entry_record`, committed.

The two databases are measured in turns (`--turns`, each a fresh process doing `--warmup` runs,
one run counted by CaptureQueriesContext, then `--runs` timed runs of each operation), so that
the load of a shared machine falls on both alike. Medians, query counts and the ratio big/small
go to benchmarks/results/ledger.{json,md} (ledger-small.* with `--small`, which stops at 20,000
entries: a quick check for CI). The issue's target: the same queries at both sizes, and times
that stay flat.

Last, concurrency, on the big ledger: `--rounds` times, a holder gets a new item with a stock of
10, and 20 threads (each with its own database connection) wait at a barrier and each hand out 1
through the service: exactly 10 succeed, 10 are refused with the balance in the message, the
balance is 0. The scratch databases are dropped at the end unless `--keep`.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from argparse import SUPPRESS
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.report_posting import MAINTENANCE_DATABASE, scratch_name, with_database
from benchmarks.roster_export import admin_sql, server_url, setup_django

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "benchmarks" / "results"
SCRATCH_DATABASE = "bench_ledger"
BASE_SIZE = 1_000
BIG_SIZE = 1_000_000
SMALL_BIG_SIZE = 20_000
TOWNSHIPS = 10
COMMUNITIES = 10  # per township
THREADS = 20
STOCK = 10
SQL_SHOWN = 160
SECRETARY = "bench-secretary"
OPERATIONS = ["balance", "balances", "history_sum", "record_issue", "record_donation"]
TITLES = {
    "balance": "read one balance (holder, item)",
    "balances": "read the holder's balances (the page's rows)",
    "history_sum": "contrast: sum the holder's stock card instead",
    "record_issue": "record a hand-out (`entry_record`, locked, checked)",
    "record_donation": "record a donation (`entry_record`)",
}

# One row per g: pair p = g % pairs (a holder and an item), round r = g / pairs. Rounds go
# donation, coordination, donation, hand-out: each pair gains 30 before it first gives out 1,
# and never runs short. The dates spread over two years (two voucher counters).
LOAD_SQL = """
INSERT INTO supplies_ledgerentry (
    created_at, updated_at, county_id, entry_date, kind, item_id, quantity,
    from_party_id, to_party_id, recipient, team_id, note, recorded_by_id
)
SELECT now(), now(), %(county)s, date '2020-01-20' + (g %% 700),
       CASE r %% 4 WHEN 1 THEN 'coordination' WHEN 3 THEN 'issue' ELSE 'donation' END,
       (%(items)s::bigint[])[1 + p / %(holder_count)s],
       CASE WHEN r %% 4 = 3 THEN 1 ELSE 10 END,
       CASE r %% 4 WHEN 1 THEN NULL
                   WHEN 3 THEN (%(holders)s::bigint[])[1 + p %% %(holder_count)s]
                   ELSE %(donor)s END,
       CASE WHEN r %% 4 = 3 THEN NULL ELSE (%(holders)s::bigint[])[1 + p %% %(holder_count)s] END,
       CASE WHEN r %% 4 = 3 THEN '居民' ELSE '' END,
       CASE WHEN r %% 4 = 1 THEN %(team)s END,
       '', %(user)s
FROM generate_series(%(first)s, %(last)s) AS g,
     LATERAL (SELECT g %% %(pairs)s AS p, g / %(pairs)s AS r) AS pair
"""
TABLES = ("supplies_ledgerentry", "supplies_stockmovement", "supplies_balance")


# --- the world and the ledger ----------------------------------------------------------------


def build_world() -> dict:
    """The county, its holders (made by the triggers), the catalogue, a donor, a team, the
    county's organisation department and one community's secretary."""
    from communities.choices import AreaLevel, Role
    from communities.models import Area, User
    from supervision.models import Team
    from supplies.demo import _items
    from supplies.models import Party

    province = Area.objects.create(name="辽宁省", level=AreaLevel.PROVINCE)
    city = Area.objects.create(name="铁岭市", level=AreaLevel.CITY, parent=province)
    county = Area.objects.create(name="铁岭县", level=AreaLevel.COUNTY, parent=city)
    first_community = None
    for t in range(TOWNSHIPS):
        township = Area.objects.create(
            name=f"第{t + 1}街道", level=AreaLevel.TOWNSHIP, parent=county
        )
        for c in range(COMMUNITIES):
            community = Area.objects.create(
                name=f"第{t + 1}街道第{c + 1}社区", level=AreaLevel.COMMUNITY, parent=township
            )
            first_community = first_community or community
    User.objects.create(username="bench-county", role=Role.COUNTY_STAFF, area=county)
    User.objects.create(username=SECRETARY, role=Role.SECRETARY, area=first_community)
    team = Team.objects.create(county=county, name="县卫健局督导小分队")
    donor = Party.objects.create(county=county, kind="enterprise", name="铁岭某物资公司")
    items = list(_items().values())
    holders = list(Party.objects.filter(county=county).holders().exclude(kind="team"))
    return {
        "county": county.pk,
        "items": [item.pk for item in items],
        "holders": [party.pk for party in holders],
        "donor": donor.pk,
        "team": team.pk,
        "user": User.objects.get(username="bench-county").pk,
        "generated": 0,
    }


def entry_count() -> int:
    from supplies.models import LedgerEntry

    return LedgerEntry.objects.count()


def fill(world: dict, target: int, batch: int) -> float:
    """Adds generated entries until the ledger holds `target`; returns the seconds it took.
    `world["generated"]` counts the rows generated so far, so each pair goes on where it was."""
    from django.db import connection

    started = time.perf_counter()
    params = {
        **world,
        "holder_count": len(world["holders"]),
        "pairs": len(world["holders"]) * len(world["items"]),
    }
    missing = target - entry_count()
    while missing > 0:
        first = world["generated"]
        last = first + min(batch, missing) - 1
        with connection.cursor() as cursor:
            cursor.execute(LOAD_SQL, {**params, "first": first, "last": last})
        world["generated"] = last + 1
        missing -= last + 1 - first
        if world["generated"] % (batch * 10) == 0:
            elapsed = time.perf_counter() - started
            print(f"  {world['generated']:,} generated, {elapsed:.0f} s", flush=True)
    # VACUUM cannot run inside a transaction (a test's); ANALYZE can.
    refresh = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"{refresh} {table}")
    return time.perf_counter() - started


# --- the operations --------------------------------------------------------------------------


def operations() -> dict:
    """Each operation as a function of no arguments, against the secretary's community."""
    from django.db.models import Sum
    from django.utils import timezone

    from communities.models import User
    from supplies import services
    from supplies.models import Balance, Item, Party, StockMovement
    from supplies.selectors import balances_for_list

    secretary = User.objects.select_related("area").get(username=SECRETARY)
    holder = Party.objects.select_related("area").get(area=secretary.area)
    item = Item.objects.get(name="口罩")
    donor = Party.objects.get(kind="enterprise", county=holder.county_id)
    today = timezone.localdate()
    # Enough stock for every hand-out measured.
    services.entry_record(
        actor=secretary,
        kind="donation",
        line=services.EntryLine(item=item, quantity=Decimal(10_000)),
        entry_date=today,
        from_party=donor,
        to_party=holder,
    )

    def balance():
        return (
            Balance.objects.visible_to(secretary)
            .filter(holder=holder, item=item)
            .values_list("quantity", flat=True)
            .get()
        )

    def balances():
        return list(balances_for_list(Balance.objects.visible_to(secretary).filter(holder=holder)))

    def history_sum():
        return StockMovement.objects.filter(holder=holder, item=item).aggregate(Sum("quantity"))

    def record(kind: str):
        def run():
            sides = (
                {"from_party": holder, "recipient": "居民"}
                if kind == "issue"
                else {"from_party": donor, "to_party": holder}
            )
            return services.entry_record(
                actor=secretary,
                kind=kind,
                line=services.EntryLine(item=item, quantity=Decimal(1)),
                entry_date=today,
                **sides,
            )

        return run

    return {
        "balance": balance,
        "balances": balances,
        "history_sum": history_sum,
        "record_issue": record("issue"),
        "record_donation": record("donation"),
    }


QUERY_KINDS = (
    ("transaction", lambda sql: sql.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))),
    ("check constraints (full_clean)", lambda sql: '"_check"' in sql),
    ("existence checks (scope, foreign keys)", lambda sql: sql.startswith('SELECT 1 AS "a"')),
    ("balance row locked", lambda sql: "FOR UPDATE" in sql),
    ("insert", lambda sql: sql.startswith("INSERT")),
)


def breakdown(statements: list[str]) -> dict[str, int]:
    """What the queries of an operation are, by kind."""
    kinds: dict[str, int] = {}
    for sql in statements:
        kind = next((name for name, test in QUERY_KINDS if test(sql)), "read")
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def measure(runs: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for name, operation in operations().items():
        for _ in range(warmup):
            operation()
        with CaptureQueriesContext(connection) as queries:
            operation()
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            operation()
            seconds.append(time.perf_counter() - started)
        statements = [query["sql"] for query in queries.captured_queries]
        results[name] = {
            "queries": len(queries),
            "kinds": breakdown(statements),
            "sql": [sql[:SQL_SHOWN] for sql in statements],
            "seconds": seconds,
            "ms": statistics.median(seconds) * 1000,
        }
    return results


# --- concurrency -----------------------------------------------------------------------------


def concurrent_hand_outs(round_number: int) -> dict:
    """A new item with a stock of STOCK at the secretary's community; THREADS threads, each on
    its own connection, released together, each hand out 1."""
    from django.core.exceptions import ValidationError
    from django.db import connection
    from django.utils import timezone

    from communities.models import User
    from supplies import services
    from supplies.models import Balance, Item, LedgerEntry, Party

    secretary = User.objects.select_related("area").get(username=SECRETARY)
    holder = Party.objects.get(area=secretary.area)
    donor = Party.objects.get(kind="enterprise", county=holder.county_id)
    item = Item.objects.create(
        name="并发测试口罩", specification=f"第{round_number}轮", category="protection", unit="ge"
    )
    today = timezone.localdate()
    services.entry_record(
        actor=secretary,
        kind="donation",
        line=services.EntryLine(item=item, quantity=Decimal(STOCK)),
        entry_date=today,
        from_party=donor,
        to_party=holder,
    )
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    messages: set[str] = set()
    lock = threading.Lock()

    def hand_out() -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=120)
            services.entry_record(
                actor=secretary,
                kind="issue",
                line=services.EntryLine(item=item, quantity=Decimal(1)),
                entry_date=today,
                from_party=holder,
                recipient="居民",
            )
            outcome = "handed out"
        except ValidationError as error:
            outcome = "refused"
            with lock:
                messages.update(error.messages)
        except Exception as error:
            outcome = f"error: {type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    started = time.perf_counter()
    threads = [threading.Thread(target=hand_out) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    counted = {outcome: outcomes.count(outcome) for outcome in sorted(set(outcomes))}
    balance = Balance.objects.get(holder=holder, item=item).quantity
    issued = LedgerEntry.objects.filter(item=item, kind="issue").count()
    return {
        "round": round_number,
        "outcomes": counted,
        "issued_entries": issued,
        "balance_after": float(balance),
        "seconds": round(seconds, 3),
        "refusal": sorted(messages)[0] if messages else "",
        "exact": counted.get("handed out") == STOCK and issued == STOCK and balance == 0,
    }


# --- in a child process, against one scratch database ----------------------------------------


def child(args) -> None:
    """Runs one step against DATABASE_URL's database and prints its figures as JSON on the
    last line of stdout: `load` (migrate, the world, the ledger up to `--target` entries),
    `measure` (`--runs` runs of each operation) or `concurrency` (`--rounds` rounds)."""
    setup_django(os.environ["DATABASE_URL"])
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    try:
        if args.child == "load":
            call_command("migrate", verbosity=0)
            world = build_world()
            load_seconds = fill(world, args.target, args.batch)
            result = {"entries": entry_count(), "load_seconds": load_seconds}
        elif args.child == "measure":
            result = {"entries": entry_count(), "operations": measure(args.runs, args.warmup)}
        else:
            result = {"rounds": [concurrent_hand_outs(n + 1) for n in range(args.rounds)]}
    finally:
        connections.close_all()
    print(json.dumps(result, ensure_ascii=False))


# --- in the parent: scratch databases, children, the report ----------------------------------


def run_child(database_url: str, *args: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.ledger", *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed")
    return json.loads(done.stdout.splitlines()[-1])


def run(args, urls: dict[str, str]) -> dict:
    """Loads both ledgers, then measures them in turns (`--turns` times, `--runs` runs each), so
    that the load of a shared machine falls on both alike; then the concurrent hand-outs."""
    loaded = {}
    for size, target in (("small", args.base), ("big", args.entries)):
        loaded[size] = run_child(
            urls[size], "--child", "load", "--target", str(target), "--batch", str(args.batch)
        )
        print(
            f"{loaded[size]['entries']:,} entries loaded in {loaded[size]['load_seconds']:.0f} s",
            flush=True,
        )
    samples: dict[str, dict] = {"small": {}, "big": {}}
    loads: list[float] = []
    for turn in range(args.turns):
        for size in ("small", "big"):
            measured = run_child(
                urls[size],
                *("--child", "measure", "--runs", str(args.runs), "--warmup", str(args.warmup)),
            )
            loads.append(os.getloadavg()[0])
            for name, figures in measured["operations"].items():
                kept = samples[size].setdefault(name, {**figures, "seconds": []})
                kept["seconds"].extend(figures["seconds"])
        print(f"turn {turn + 1} of {args.turns} measured", flush=True)
    sizes = []
    for size in ("small", "big"):
        operations = {}
        for name, figures in samples[size].items():
            seconds = figures.pop("seconds")
            operations[name] = {
                **figures,
                "ms": statistics.median(seconds) * 1000,
                "best_ms": min(seconds) * 1000,
                "samples": len(seconds),
            }
        sizes.append({**loaded[size], "operations": operations})
    concurrency = run_child(urls["big"], "--child", "concurrency", "--rounds", str(args.rounds))
    return {
        "sizes": sizes,
        "concurrency": concurrency["rounds"],
        "load_average": {"min": min(loads), "max": max(loads)},
    }


def summarise(measured: dict, args) -> dict:
    small, big = measured["sizes"]
    ratios = {
        name: big["operations"][name]["ms"] / small["operations"][name]["ms"] for name in OPERATIONS
    }
    best_ratios = {
        name: big["operations"][name]["best_ms"] / small["operations"][name]["best_ms"]
        for name in OPERATIONS
    }
    equal = {
        name: small["operations"][name]["queries"] == big["operations"][name]["queries"]
        for name in OPERATIONS
    }
    return {
        "benchmark": "ledger",
        "date": datetime.now(tz=UTC).date().isoformat(),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "runs": args.runs * args.turns,
        "turns": args.turns,
        "batch": args.batch,
        "holders": TOWNSHIPS * COMMUNITIES + TOWNSHIPS + 1,
        **measured,
        "ratio_big_small": ratios,
        "best_ratio_big_small": best_ratios,
        "query_counts_equal": all(equal.values()),
        "concurrency_exact": all(r["exact"] for r in measured["concurrency"]),
    }


def markdown(summary: dict) -> str:
    small, big = summary["sizes"]
    n_small, n_big = f"{small['entries']:,}", f"{big['entries']:,}"
    header = [
        "operation",
        f"queries @{n_small}",
        f"queries @{n_big}",
        f"median ms @{n_small}",
        f"median ms @{n_big}",
        "big/small",
        f"best ms @{n_small}",
        f"best ms @{n_big}",
        "big/small (best)",
    ]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for name in OPERATIONS:
        a, b = small["operations"][name], big["operations"][name]
        ratio, best = summary["ratio_big_small"][name], summary["best_ratio_big_small"][name]
        lines.append(
            f"| {TITLES[name]} | {a['queries']} | {b['queries']} | {a['ms']:.2f} | "
            f"{b['ms']:.2f} | **{ratio:.2f}x** | {a['best_ms']:.2f} | {b['best_ms']:.2f} | "
            f"{best:.2f}x |"
        )
    rounds = summary["concurrency"]
    concurrency = [
        f"- round {r['round']}: {', '.join(f'{n} {k}' for k, n in r['outcomes'].items())}; "
        f"{r['issued_entries']} hand-out entries, balance {r['balance_after']:g}, "
        f"{r['seconds'] * 1000:.0f} ms"
        for r in rounds
    ]
    refusal = next((r["refusal"] for r in rounds if r["refusal"]), "")
    equal = summary["query_counts_equal"]
    exact = summary["concurrency_exact"]
    per_pair = big["entries"] / summary["holders"] / 12
    recording = big["operations"]["record_issue"]
    load = summary["load_average"]
    return "\n".join(
        [
            "# Supplies ledger: balances and recording at two sizes, concurrent hand-outs",
            "",
            f"{summary['date']}, Python {summary['python']}, {summary['machine']} (shared: "
            f"load average {load['min']:.1f}–{load['max']:.1f}); median of {summary['runs']} "
            f"runs per size, measured in {summary['turns']} turns alternating between the two "
            "databases (a process each, after a warm-up), as the community's secretary.",
            "",
            *lines,
            "",
            f"- the ledger: {summary['holders']} holders (the county stock, 10 townships, 100 "
            f"communities) × 12 items; at {n_big} entries about {per_pair:,.0f} per holder and "
            "item; loaded through the real triggers by `INSERT … SELECT generate_series` in "
            f"batches of {summary['batch']:,} ({big['load_seconds']:.0f} s for the big size).",
            f"- query counts equal at both sizes: **{'yes' if equal else 'NO'}**.",
            "- best: the fastest run, the least disturbed by the other work on the machine.",
            "- the history sum is not something the app does: it is what each balance read "
            "would cost without the balance the triggers keep.",
            f"- recording a hand-out, its {recording['queries']} queries: "
            + ", ".join(f"{kind} {n}" for kind, n in recording["kinds"].items())
            + "; the one insert does the rest in its triggers (voucher, balance, stock card).",
            "",
            f"## {THREADS} hand-outs at once against a stock of {STOCK}",
            "",
            *concurrency,
            f"- exactly {STOCK} handed out and the balance 0 in every round: "
            f"**{'yes' if exact else 'NO'}**.",
            f"- the refusal: “{refusal}”" if refusal else "",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, help=f"the big size (default {BIG_SIZE:,})")
    parser.add_argument("--base", type=int, default=BASE_SIZE, help="the small size")
    parser.add_argument(
        "--small", action="store_true", help=f"big size {SMALL_BIG_SIZE:,}: a quick check"
    )
    parser.add_argument("--batch", type=int, default=5_000, help="rows per INSERT")
    parser.add_argument("--runs", type=int, default=10, help="runs per operation and turn")
    parser.add_argument("--turns", type=int, default=5, help="turns of measuring both sizes")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of concurrent hand-outs")
    parser.add_argument("--database", help="scratch database (default: DATABASE_URL's own)")
    parser.add_argument(
        "--output",
        type=Path,
        help="path of the results without suffix (default: benchmarks/results/ledger, "
        "ledger-small with --small)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--child", choices=["load", "measure", "concurrency"], help=SUPPRESS)
    parser.add_argument("--target", type=int, help=SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    args.entries = args.entries or (SMALL_BIG_SIZE if args.small else BIG_SIZE)
    if args.entries <= args.base:
        raise SystemExit("--entries must be more than --base")

    url = server_url()
    named = urlsplit(url).path.lstrip("/") not in ("", MAINTENANCE_DATABASE)
    # DATABASE_URL's own database, unless it names none or the maintenance one.
    name = scratch_name(url if named else with_database(url, SCRATCH_DATABASE), args.database)
    names = {"small": f"{name}_base", "big": name}
    maintenance = with_database(url, MAINTENANCE_DATABASE)
    drops = [f"DROP DATABASE IF EXISTS {each} WITH (FORCE)" for each in names.values()]
    admin_sql(maintenance, *drops, *(f"CREATE DATABASE {each}" for each in names.values()))
    try:
        measured = run(args, {size: with_database(url, each) for size, each in names.items()})
    finally:
        if not args.keep:
            admin_sql(maintenance, *drops)
    summary = summarise(measured, args)
    output = args.output or RESULTS_DIR / ("ledger-small" if args.small else "ledger")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    output.with_suffix(".md").write_text(markdown(summary))
    print(markdown(summary))
    if not summary["query_counts_equal"]:
        raise SystemExit("query counts differ between sizes: see the table")
    if not summary["concurrency_exact"]:
        raise SystemExit("concurrent hand-outs did not end at exactly the stock: see above")


if __name__ == "__main__":
    main()
