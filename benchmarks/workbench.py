"""How the secretary's workbench and the gap view compare with the bare floor, at two sizes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m benchmarks.workbench

For each size — 500 registrations in a community of 50 buildings, and 5,000 in one of 500
buildings, 4 units each — creates a scratch database on the DATABASE_URL server (the embedded
server when DATABASE_URL is unset), migrates it and loads one community with
`benchmarks.roster_export.load` (60% confirmed, 30% pending, 10% returned; a building chief in
every building, a unit chief in 60% of the units, a publicist for every fifth other confirmed
member). Then, in a process of its own per size, Django's test Client logged in as that
community's secretary fetches each page, against its floor, the least the page has to ask the
database for:

- the workbench, page 1, its pinyin-initials search and its confirmed members (the page the gap
  view links to): floor = the first 50 registrations of the community (with the same filter)
  with `select_related("cadre")`, and a COUNT;
- the gap view: floor = one `values_list` of the community's buildings and one of its units.

Each is fetched `--warmup` times, once to count its SQL queries (CaptureQueriesContext), then
`--runs` times alternating with its floor; the medians and the ratio page/floor go to
benchmarks/results/workbench.{json,md} (workbench-small.* with `--small`, which runs the small
size only). The issue's target: query counts that do not grow with the rows, so the counts must
be equal at both sizes. The scratch databases are dropped at the end unless `--keep`.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.roster_export import admin_sql, load, server_url, setup_django

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "benchmarks" / "results"
SECRETARY = "bench-secretary"
PAGE_SIZE = 50  # the workbench's paginate_by
UNITS_PER_BUILDING = 4
SQL_SHOWN = 160  # characters of each query kept in the JSON, enough to tell them apart


@dataclass(frozen=True)
class Size:
    name: str
    registrations: int
    buildings: int

    @property
    def database(self) -> str:
        return f"bench_workbench_{self.registrations}"


SIZES = [Size("small", 500, 50), Size("large", 5_000, 500)]
PAGES = ["workbench", "search", "confirmed", "gaps"]
PAGE_TITLES = {
    "workbench": "workbench, page 1",
    "search": "workbench, pinyin initials `?q=`",
    "confirmed": "workbench, `?status=confirmed`",
    "gaps": "gap view",
}


# --- in the child process: load, then measure ------------------------------------------------


def load_community(size: Size) -> None:
    from django.core.management import call_command

    from communities.choices import Role
    from communities.models import Area, User

    call_command("migrate", verbosity=0)
    load(size.registrations, communities=1, buildings=size.buildings, units=UNITS_PER_BUILDING)
    community = Area.objects.communities().get()
    User.objects.create(username=SECRETARY, role=Role.SECRETARY, area=community)


def search_term(community) -> str:
    """The first two pinyin initials of the commonest names: a search a secretary would type."""
    from django.db.models import Count
    from django.db.models.functions import Left

    from cadres.models import Registration

    return (
        Registration.objects.filter(community=community)
        .values(prefix=Left("cadre__name_initials", 2))
        .annotate(n=Count("*"))
        .order_by("-n", "prefix")
        .values_list("prefix", flat=True)[0]
    )


def floors(community, term: str) -> dict:
    """What each page cannot do without: its rows and, for a paginated list, their count."""
    from cadres.models import Registration
    from communities.models import Building, Unit

    registrations = Registration.objects.filter(community=community)

    def page_of(queryset):
        def floor():
            rows = list(queryset.select_related("cadre")[:PAGE_SIZE])
            return rows, queryset.count()

        return floor

    def gaps():
        buildings = Building.objects.filter(community=community)
        units = Unit.objects.filter(building__community=community)
        return list(buildings.values_list("pk", "name")), list(
            units.values_list("pk", "building_id", "number")
        )

    return {
        "workbench": page_of(registrations),
        "search": page_of(registrations.filter(cadre__name_initials__startswith=term)),
        "confirmed": page_of(registrations.filter(status="confirmed")),
        "gaps": gaps,
    }


def shown_rows(page: str, content: str) -> int:
    """Rows the page shows, read off its HTML: a check that it shows what it should."""
    marker = 'class="unit ' if page == "gaps" else 'name="page_ids"'
    return content.count(marker)


def measure_pages(size: Size, runs: int, warmup: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from communities.models import User

    secretary = User.objects.select_related("area").get(username=SECRETARY)
    community = secretary.area
    term = search_term(community)
    workbench = reverse("cadres:workbench")
    urls = {
        "workbench": workbench,
        "search": f"{workbench}?q={term}",
        "confirmed": f"{workbench}?status=confirmed",
        "gaps": reverse("cadres:community-gaps", args=[community.pk]),
    }
    client = Client()
    client.force_login(secretary)

    def fetch(url: str) -> str:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response.content.decode()

    results = {}
    for page, floor in floors(community, term).items():
        url = urls[page]
        for _ in range(warmup):
            fetch(url)
            floor()
        with CaptureQueriesContext(connection) as page_queries:
            content = fetch(url)
        with CaptureQueriesContext(connection) as floor_queries:
            floor()
        # Read them now: the next request's request_started signal empties the query log.
        sql = [query["sql"][:SQL_SHOWN] for query in page_queries.captured_queries]
        floor_count = len(floor_queries)
        page_seconds, floor_seconds = [], []
        for _ in range(runs):
            started = time.perf_counter()
            floor()
            floor_seconds.append(time.perf_counter() - started)
            started = time.perf_counter()
            fetch(url)
            page_seconds.append(time.perf_counter() - started)
        page_ms = statistics.median(page_seconds) * 1000
        floor_ms = statistics.median(floor_seconds) * 1000
        results[page] = {
            "url": url,
            "rows_shown": shown_rows(page, content),
            "queries": len(sql),
            "sql": sql,
            "ms": page_ms,
            "floor_queries": floor_count,
            "floor_ms": floor_ms,
            "ratio": page_ms / floor_ms,
        }
    return results


def child(size: Size, runs: int, warmup: int) -> None:
    """Loads the size's community into the (empty) scratch database, measures its pages and
    prints the figures as JSON on the last line of stdout."""
    setup_django(os.environ["DATABASE_URL"])
    started = time.perf_counter()
    load_community(size)
    load_seconds = time.perf_counter() - started
    pages = measure_pages(size, runs, warmup)
    print(json.dumps({**asdict(size), "load_seconds": load_seconds, "pages": pages}))


# --- in the parent: scratch databases, children, the report ----------------------------------


def run_size(size: Size, url: str, *, runs: int, warmup: int, keep: bool) -> dict:
    database_url = urlsplit(url)._replace(path=f"/{size.database}").geturl()
    drop = f"DROP DATABASE IF EXISTS {size.database} WITH (FORCE)"
    admin_sql(url, drop, f"CREATE DATABASE {size.database}")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
        # The test Client's host; without the test environment, nothing adds it.
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    args = ["--child", size.name, "--runs", str(runs), "--warmup", str(warmup)]
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.workbench", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if not keep:
            admin_sql(url, drop)
    if done.returncode != 0:
        raise SystemExit(f"{size.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def summarise(results: list[dict], runs: int) -> dict:
    counts = {page: {r["name"]: r["pages"][page]["queries"] for r in results} for page in PAGES}
    return {
        "benchmark": "workbench",
        "date": datetime.now(tz=UTC).date().isoformat(),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "runs": runs,
        "sizes": results,
        "query_counts": counts,
        "query_counts_equal": all(len(set(by_size.values())) == 1 for by_size in counts.values()),
    }


def markdown(summary: dict) -> str:
    sizes = summary["sizes"]
    header = ["page", *(f"queries @{s['registrations']:,}" for s in sizes)]
    for s in sizes:
        n = f"{s['registrations']:,}"
        header += [f"ms @{n}", f"floor ms @{n}", f"page/floor @{n}"]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for page in PAGES:
        cells = [PAGE_TITLES[page], *(str(s["pages"][page]["queries"]) for s in sizes)]
        for s in sizes:
            figures = s["pages"][page]
            cells += [
                f"{figures['ms']:.1f}",
                f"{figures['floor_ms']:.1f} ({figures['floor_queries']} q)",
                f"**{figures['ratio']:.1f}x**",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    described = "; ".join(
        f"{s['registrations']:,} registrations in {s['buildings']} buildings "
        f"({s['buildings'] * UNITS_PER_BUILDING:,} units), page 1 shows "
        f"{s['pages']['workbench']['rows_shown']} rows, the search `?q={search_of(s)}` "
        f"{s['pages']['search']['rows_shown']}, the gap view {s['pages']['gaps']['rows_shown']:,} "
        f"units"
        for s in sizes
    )
    equal = summary["query_counts_equal"]
    return "\n".join(
        [
            "# Secretary's workbench and gap view",
            "",
            f"{summary['date']}, Python {summary['python']}, {summary['machine']}; "
            f"median of {summary['runs']} runs after a warm-up, Django's test Client logged in "
            "as the community's secretary, each size in its own process and database.",
            "",
            *lines,
            "",
            f"- {described}.",
            "- floor: the first 50 registrations (same filter) with `select_related('cadre')` "
            "and a COUNT; for the gap view one `values_list` of the buildings and one of the "
            "units.",
            f"- query counts equal at every size: **{'yes' if equal else 'NO'}**.",
            "- the gap view shows every unit of the community and its floor renders nothing, so "
            "its ratio grows with the units shown although its queries do not.",
            "",
        ]
    )


def search_of(size_result: dict) -> str:
    return size_result["pages"]["search"]["url"].rpartition("q=")[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="the small size only, a quick check")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--output",
        type=Path,
        help="path of the results without suffix (default: benchmarks/results/workbench, "
        "workbench-small with --small)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--child", choices=[s.name for s in SIZES], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = {s.name: s for s in SIZES}
    if args.child:
        child(sizes[args.child], args.runs, args.warmup)
        return

    url = server_url()
    results = []
    for size in SIZES[:1] if args.small else SIZES:
        started = time.perf_counter()
        result = run_size(size, url, runs=args.runs, warmup=args.warmup, keep=args.keep)
        results.append(result)
        print(
            f"{size.registrations:,} registrations: loaded in {result['load_seconds']:.0f} s, "
            f"measured in {time.perf_counter() - started - result['load_seconds']:.0f} s",
            flush=True,
        )
    summary = summarise(results, args.runs)
    output = args.output or RESULTS_DIR / ("workbench-small" if args.small else "workbench")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    output.with_suffix(".md").write_text(markdown(summary))
    print(markdown(summary))
    if not summary["query_counts_equal"]:
        raise SystemExit("query counts differ between sizes: see the table")


if __name__ == "__main__":
    main()
