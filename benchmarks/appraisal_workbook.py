"""How the county's appraisal workbook compares with the bare floor, at a county's scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m benchmarks.appraisal_workbook --cadres 20000 --units 100

Creates a scratch database (`bench_appraisal`, or `--database`) on the DATABASE_URL server (the
embedded server when DATABASE_URL is unset), migrates it, and loads a county: N cadres in U work
units, each confirmed in one of 20 communities of two townships, a duty post on every fifth,
a commendation on every tenth, four supervision teams covering the townships with 60 days of
daily reports and some problems, an open period with every input filled in and the final grades
given within each unit's quota. Then, each in its own process so that each peak RSS is its own:

- ours:  `appraisal.exports.write_workbook` of the county staff's whole county (every unit's
         sheet, the summary, the form's layout), from the query to the saved file;
- floor: the same cells (the same values, a sheet per unit) written by a bare openpyxl
         write-only workbook from rows fetched and computed beforehand (not timed), no styles,
         merges or print set-up;
- query: ours' rows read and computed, nothing written (how much of ours is the database);
- count: the queries of ours for the first tenth of the units and for the whole county, which
         must be equal (the query count does not grow with the cadres).

Ours, floor and query run `--runs` times (alternating); the medians of wall time, CPU time (of
the Python process) and peak RSS, and the ratio ours/floor, go to
benchmarks/results/appraisal_workbook.{json,md} (appraisal_workbook-<cadres>.* for another size,
or `--output`). The issue's targets: peak memory under 300 MB, time within 2x of the floor. The
scratch database is dropped at the end. A quick check: `--cadres 2000 --units 10 --runs 1`.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.roster_export import _status_kb, admin_sql, run_child, server_url, setup_django

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "benchmarks" / "results"
SCRATCH_DATABASE = "bench_appraisal"
BENCH_USERNAME = "bench-county"
PERIOD_NAME = "2020年疫情防控一线专项考核"
DEFAULT_CADRES = 20_000
DEFAULT_UNITS = 100
MEMORY_TARGET_MB = 300
TIME_TARGET_RATIO = 2.0
QUOTA = 3

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲兰飞鹏辉建国志宏"
UNIT_KINDS = ["局", "委", "办公室", "中心", "所"]
POSITIONS = ["科员", "副科长", "科长", "副局长", "局长", "主任科员", ""]
NOTES = ["卡点值守认真，登记规范", "入户排查细致，台账清楚", "宣传到位，群众知晓率高", ""]
OPINIONS = [
    "该同志在疫情防控一线工作中认真负责，服从社区安排，圆满完成各项任务。",
    "工作扎实，作风过硬，群众满意度高。",
    "",
]


# --- the writers, each run in a child process -------------------------------------------------


def _context():
    from appraisal.models import Appraisal, Period
    from communities.models import User

    user = User.objects.select_related("area").get(username=BENCH_USERNAME)
    period = Period.objects.get(name=PERIOD_NAME)
    return user, period, Appraisal.objects.visible_to(user)


def run_ours(path: str) -> int:
    from appraisal.exports import write_workbook

    _user, period, appraisals = _context()
    with open(path, "wb") as fileobj:
        return write_workbook(period, appraisals, fileobj, scope_label="铁岭县")


def prefetch() -> tuple[list, list[tuple[str, list[list]]]]:
    """The headers, and each unit's rows of plain cell values, computed as ours computes them."""
    from appraisal.exports import appraisal_columns, appraisal_rows

    _user, period, appraisals = _context()
    columns = appraisal_columns()
    headers = [str(column.group or column.header) for column in columns]
    units: list[tuple[str, list[list]]] = []
    for row in appraisal_rows(period, appraisals):
        if not units or units[-1][0] != row["work_unit__name"]:
            units.append((row["work_unit__name"], []))
        rows = units[-1][1]
        row["number"] = len(rows) + 1
        rows.append([column.value(row) for column in columns])
    return headers, units


def run_floor(path: str, prefetched) -> int:
    """The fastest we could hope for with openpyxl: the same cells, values only."""
    from openpyxl import Workbook

    headers, units = prefetched
    workbook = Workbook(write_only=True)
    count = 0
    for name, rows in units:
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        count += len(rows)
    workbook.save(path)
    return count


def run_query(_path: str) -> int:
    """Ours' rows read and every cell computed, nothing written."""
    from appraisal.exports import appraisal_columns, appraisal_rows

    _user, period, appraisals = _context()
    columns = appraisal_columns()
    count = 0
    for count, row in enumerate(appraisal_rows(period, appraisals), 1):
        row["number"] = count
        for column in columns:
            column.value(row)
    return count


WRITERS = {"ours": run_ours, "floor": run_floor, "query": run_query}


def child(kind: str) -> None:
    """Runs one writer and prints its figures as JSON on the last line of stdout."""
    setup_django(os.environ["DATABASE_URL"])
    from django.conf import settings
    from django.db import connection
    from django.utils import translation

    import appraisal.exports  # noqa: F401 (imports and catalogues load before the clock starts)

    connection.ensure_connection()
    translation.activate(settings.LANGUAGE_CODE)
    translation.gettext("Summary")
    writer = WRITERS[kind]
    if kind == "floor":
        prefetched = prefetch()  # not timed: the floor starts from rows at hand
        writer = lambda path: run_floor(path, prefetched)  # noqa: E731
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, f"{kind}.xlsx")
        started, cpu_started = time.perf_counter(), time.process_time()
        rows = writer(path)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        size = os.path.getsize(path) if os.path.exists(path) else 0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(
        json.dumps(
            {
                "kind": kind,
                "rows": rows,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss_mb": peak_kb / 1024,
                "baseline_rss_mb": baseline_kb / 1024,
                "vm_hwm_mb": _status_kb("VmHWM") / 1024,
                "file_mb": size / 1024 / 1024,
            }
        )
    )


def count_queries() -> None:
    """The queries of ours for the first tenth of the units and for the whole county."""
    setup_django(os.environ["DATABASE_URL"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from appraisal.exports import write_workbook

    _user, period, appraisals = _context()
    units = sorted(set(appraisals.values_list("work_unit_id", flat=True)))
    figures = {}
    for label, queryset in (
        ("tenth", appraisals.filter(work_unit__in=units[: max(2, len(units) // 10)])),
        ("county", appraisals),
    ):
        period.refresh_from_db()  # its county is fetched again, as on a page
        with tempfile.TemporaryFile() as fileobj, CaptureQueriesContext(connection) as queries:
            rows = write_workbook(period, queryset, fileobj, scope_label="铁岭县")
        figures[label] = {"rows": rows, "queries": len(queries)}
    print(json.dumps(figures))


# --- the data ---------------------------------------------------------------------------------


def load(cadres: int, units: int, communities: int = 20) -> None:
    """The county, its units, cadres confirmed in its communities, the teams' reports, and an
    open period with every input filled in."""
    from django.db import connection
    from django.utils import timezone

    from appraisal import services
    from appraisal.models import Commendation, Period, Quota
    from cadres.models import Cadre, Post, Registration, WorkUnit
    from cadres.models.people import name_initials
    from communities.choices import AreaLevel, Role
    from communities.models import Area, User
    from supervision.models import DailyReport, Problem, Team, TeamCoverage

    province = Area.objects.create(name="辽宁省", level=AreaLevel.PROVINCE)
    city = Area.objects.create(name="铁岭市", level=AreaLevel.CITY, parent=province)
    county = Area.objects.create(name="铁岭县", level=AreaLevel.COUNTY, parent=city)
    townships = [
        Area.objects.create(name=name, level=AreaLevel.TOWNSHIP, parent=county)
        for name in ("莲花湖街道", "新台子镇")
    ]
    places = [
        Area.objects.create(
            name=f"第{c + 1}社区", level=AreaLevel.COMMUNITY, parent=townships[c % 2]
        )
        for c in range(communities)
    ]
    staff = User.objects.create(username=BENCH_USERNAME, role=Role.COUNTY_STAFF, area=county)
    work_units = WorkUnit.objects.bulk_create(
        WorkUnit(county=county, name=f"县第{u + 1}{UNIT_KINDS[u % len(UNIT_KINDS)]}")
        for u in range(units)
    )
    initials: dict[str, str] = {}
    people = []
    for n in range(cadres):
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 7) % len(GIVEN)] + GIVEN[n % 13]
        people.append(
            Cadre(
                name=name,
                phone=f"139{n:08d}",
                work_unit=work_units[n % units],
                position=POSITIONS[n % len(POSITIONS)],
                name_initials=initials.setdefault(name, name_initials(name)),
            )
        )
    people = Cadre.objects.bulk_create(people, batch_size=5000)
    registrations = Registration.objects.bulk_create(
        (
            Registration(cadre=cadre, community=places[n % communities], status="confirmed")
            for n, cadre in enumerate(people)
        ),
        batch_size=5000,
    )
    Post.objects.bulk_create(
        (
            Post(registration=r, community_id=r.community_id, kind="publicist")
            for r in registrations[::5]
        ),
        batch_size=5000,
    )

    today = timezone.localdate()
    period = services.period_save(
        actor=staff,
        period=Period(
            county=county,
            name=PERIOD_NAME,
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=30),
        ),
    )
    for t, township in enumerate(townships * 2):
        team = Team.objects.create(county=county, name=f"督导小分队{t + 1}")
        TeamCoverage.objects.create(team=team, area=township)
        DailyReport.objects.bulk_create(
            DailyReport(
                team=team,
                date=today - timedelta(days=day),
                **{area: "已做" for area in FOCUS_AREAS},
            )
            for day in range(60)
        )
        Problem.objects.bulk_create(
            Problem(
                team=team,
                community=places[(t + 2 * p) % communities],
                focus_area="publicity",
                description="垃圾未清运",
                found_on=today - timedelta(days=p),
            )
            for p in range(30)
        )
    Commendation.objects.bulk_create(
        Commendation(
            cadre=cadre,
            period=period,
            kind=("citation", "merit")[n % 2],
            awarded_on=today - timedelta(days=n % 30),
            reason="疫情防控表现突出",
            approver="中共铁岭县委组织部",
            recorded_by=staff,
        )
        for n, cadre in enumerate(people[::10])
    )
    Quota.objects.bulk_create(
        Quota(period=period, work_unit=u, excellent=QUOTA) for u in work_units
    )
    fill_inputs(connection, period.pk)


FOCUS_AREAS = ("responsibility", "publicity", "mobilisation", "screening", "supplies")


def fill_inputs(connection, period_id: int) -> None:
    """Every input in one statement (quick, unlike 20,000 service calls); the first QUOTA
    cadres of each unit 优秀, the others 称职."""
    notes = "ARRAY[" + ",".join(f"'{note}'" for note in NOTES) + "]"
    opinions = "ARRAY[" + ",".join(f"'{text}'" for text in OPINIONS) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH ranked AS (
                SELECT id, row_number() OVER (PARTITION BY work_unit_id ORDER BY id) AS rank
                FROM appraisal_appraisal WHERE period_id = %s
            )
            UPDATE appraisal_appraisal a SET
                inspection_score = 70 + (mod(a.id, 300)) / 10.0,
                inspection_note = ({notes})[1 + mod(a.id, {len(NOTES)})],
                talk_score = 75 + (mod(a.id, 25)),
                talk_note = ({notes})[1 + mod(a.id / 7, {len(NOTES)})],
                satisfied = 10 + mod(a.id, 10),
                basically_satisfied = mod(a.id, 4),
                unsatisfied = (mod(a.id, 17) = 0)::int,
                final_grade = CASE WHEN ranked.rank <= {QUOTA} THEN 'excellent'
                                   ELSE 'competent' END,
                opinion = ({opinions})[1 + mod(a.id, {len(OPINIONS)})]
            FROM ranked WHERE ranked.id = a.id
            """,
            [period_id],
        )
        cursor.execute("ANALYZE")


# --- running and reporting --------------------------------------------------------------------


def scratch_url(url: str, database: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url)._replace(path=f"/{database}").geturl()


def summarise(runs: dict[str, list[dict]], counts: dict, cadres: int, units: int) -> dict:
    medians = {
        kind: {
            "seconds": statistics.median(r["seconds"] for r in results),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in results),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in results),
            "baseline_rss_mb": statistics.median(r["baseline_rss_mb"] for r in results),
            "file_mb": statistics.median(r["file_mb"] for r in results),
            "runs": results,
        }
        for kind, results in runs.items()
    }
    ours, floor = medians["ours"], medians["floor"]
    time_ratio = ours["seconds"] / floor["seconds"]
    return {
        "benchmark": "appraisal_workbook",
        "cadres": cadres,
        "units": units,
        "date": datetime.now(tz=UTC).date().isoformat(),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "ours": ours,
        "floor": floor,
        "query": medians["query"],
        "queries": counts,
        "time_ratio": time_ratio,
        "cpu_ratio": ours["cpu_seconds"] / floor["cpu_seconds"],
        "targets": {
            "peak_rss_mb_under": MEMORY_TARGET_MB,
            "time_ratio_within": TIME_TARGET_RATIO,
            "memory_met": ours["peak_rss_mb"] < MEMORY_TARGET_MB,
            "time_met": time_ratio <= TIME_TARGET_RATIO,
            "queries_flat": counts["tenth"]["queries"] == counts["county"]["queries"],
        },
    }


def markdown(summary: dict) -> str:
    ours, floor, query = summary["ours"], summary["floor"], summary["query"]
    targets, counts = summary["targets"], summary["queries"]
    runs = len(ours["runs"])

    def line(name: str, figures: dict) -> str:
        return (
            f"| {name} | {figures['seconds']:.2f} s | {figures['cpu_seconds']:.2f} s "
            f"| {figures['peak_rss_mb']:.0f} MB "
            f"| {figures['baseline_rss_mb']:.0f} MB | {figures['file_mb']:.1f} MB |"
        )

    def met(flag: bool) -> str:
        return "met" if flag else "NOT met"

    return "\n".join(
        [
            f"# Appraisal workbook, {summary['cadres']:,} cadres in {summary['units']} units",
            "",
            f"{summary['date']}, Python {summary['python']}, {summary['machine']}; "
            f"median of {runs} runs, each in its own process.",
            "",
            "| writer | wall time | CPU time | peak RSS | RSS before writing | file |",
            "|---|---|---|---|---|---|",
            line("ours: `appraisal.exports.write_workbook`, the county", ours),
            line("floor: bare openpyxl write-only, the same cells, rows at hand", floor),
            line("(ours' rows read and computed, nothing written)", query),
            "",
            f"- time ours/floor: **{summary['time_ratio']:.2f}x** "
            f"(target within {targets['time_ratio_within']}x: {met(targets['time_met'])}); "
            f"CPU time ours/floor: {summary['cpu_ratio']:.2f}x",
            f"- peak memory: **{ours['peak_rss_mb']:.0f} MB** "
            f"(target under {targets['peak_rss_mb_under']} MB: {met(targets['memory_met'])})",
            f"- queries: {counts['tenth']['queries']} for {counts['tenth']['rows']:,} cadres, "
            f"{counts['county']['queries']} for {counts['county']['rows']:,} "
            f"({'flat' if targets['queries_flat'] else 'NOT flat'})",
            "",
        ]
    )


def _run(*args: str, database_url: str) -> str:
    return run_child(*args, database_url=database_url, module="benchmarks.appraisal_workbook")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cadres", type=int, default=DEFAULT_CADRES)
    parser.add_argument("--units", type=int, default=DEFAULT_UNITS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default=SCRATCH_DATABASE, help="the scratch database")
    parser.add_argument(
        "--output",
        type=Path,
        help="path of the results without suffix (default: benchmarks/results/"
        "appraisal_workbook, with the cadre count added when it is not the default)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--child", choices=sorted(WRITERS), help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.count:
        count_queries()
        return
    if args.load:
        setup_django(os.environ["DATABASE_URL"])
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        load(args.cadres, args.units)
        return

    url = server_url()
    database_url = scratch_url(url, args.database)
    admin_sql(
        url,
        f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)",
        f"CREATE DATABASE {args.database}",
    )
    try:
        started = time.perf_counter()
        size = ("--cadres", str(args.cadres), "--units", str(args.units))
        _run("--load", *size, database_url=database_url)
        print(f"loaded {args.cadres:,} cadres in {time.perf_counter() - started:.0f} s", flush=True)
        counts = json.loads(_run("--count", database_url=database_url).splitlines()[-1])
        print(f"queries: {counts}", flush=True)
        runs: dict[str, list[dict]] = {"floor": [], "ours": [], "query": []}
        for _ in range(args.runs):
            for kind in runs:
                result = json.loads(
                    _run("--child", kind, database_url=database_url).splitlines()[-1]
                )
                if result["rows"] != args.cadres:
                    raise SystemExit(f"{kind} wrote {result['rows']} rows, not {args.cadres}")
                runs[kind].append(result)
                print(
                    f"{kind:5} {result['seconds']:6.2f} s {result['peak_rss_mb']:6.0f} MB",
                    flush=True,
                )
    finally:
        if not args.keep:
            admin_sql(url, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")

    summary = summarise(runs, counts, args.cadres, args.units)
    name = (
        "appraisal_workbook"
        if args.cadres == DEFAULT_CADRES
        else f"appraisal_workbook-{args.cadres}"
    )
    output = args.output or RESULTS_DIR / name
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(summary))
    print(markdown(summary))


if __name__ == "__main__":
    sys.exit(main())
