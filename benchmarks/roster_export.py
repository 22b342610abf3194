"""How the roster export (花名册) compares with the bare floor, at a county's scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m benchmarks.roster_export --rows 100000

Creates a scratch database `bench_roster` on the DATABASE_URL server (the embedded server when
DATABASE_URL is unset), migrates it, loads N cadres each registered with a community (a mix of
statuses, posts on the confirmed ones), then runs in separate processes, so that each peak RSS
is its own:

- ours:  `cadres.exports.write_roster` over the workbench list of a county staff account;
- floor: an openpyxl write-only workbook written straight from one `values_list(...).iterator()`
         query of the same rows and columns, nothing translated, masked or formatted.

Each is run `--runs` times (alternating); the medians of wall time, CPU time (of the Python
process; the database server's is not in it) and peak RSS, and the ratios ours/floor, go to
benchmarks/results/roster_export.{json,md} (roster_export-<rows>.* for another row count, or
`--output`). The issue's targets: peak memory under 200 MB, time within 1.5x of the floor. The
scratch database is dropped at the end. A quick check: `--rows 2000 --runs 1`.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "benchmarks" / "results"
SCRATCH_DATABASE = "bench_roster"
BENCH_USERNAME = "bench-county"
DEFAULT_ROWS = 100_000
MEMORY_TARGET_MB = 200
TIME_TARGET_RATIO = 1.5

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲兰飞鹏辉建国志宏"
POSITIONS = ["科员", "副科长", "科长", "副局长", "局长", "主任科员", ""]
WORK_UNITS = ["县人社中心", "县农业农村局", "县民政局", "县公安局", "县委统战部", "县纪委监委"]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


# --- the two writers, each run in a child process -------------------------------------------


def run_ours(path: str) -> int:
    from cadres.exports import write_roster
    from cadres.models import Registration
    from cadres.selectors import registrations_for_list
    from communities.models import User

    user = User.objects.select_related("area").get(username=BENCH_USERNAME)
    queryset = registrations_for_list(Registration.objects.visible_to(user))
    with open(path, "wb") as fileobj:
        return write_roster(queryset, user, fileobj)


def run_floor(path: str) -> int:
    """The fastest we could hope for with openpyxl: the same query, values written as they come."""
    from django.db.models.functions import TruncDate
    from openpyxl import Workbook

    from cadres.exports import ROW_FIELDS, active_posts_text
    from cadres.models import Registration
    from cadres.selectors import STATUS_ORDER
    from communities.models import User

    user = User.objects.select_related("area").get(username=BENCH_USERNAME)
    fields = [name for name in ROW_FIELDS if name != "community_id"]
    # The same expressions as ours, with separators a worksheet accepts.
    expressions = [TruncDate("created_at"), active_posts_text(" ", "、")]
    rows = (
        Registration.objects.visible_to(user)
        .order_by(STATUS_ORDER, "-created_at", "-id")
        .values_list(*fields, *expressions)
        .iterator(chunk_size=2000)
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([*fields, "registered_on", "posts"])
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


WRITERS = {"ours": run_ours, "floor": run_floor}


def _status_kb(key: str) -> int:
    """A figure of /proc/self/status (Linux), as a cross-check of getrusage."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    return 0


def child(kind: str) -> None:
    """Runs one writer and prints its figures as JSON on the last line of stdout."""
    setup_django(os.environ["DATABASE_URL"])
    from django.conf import settings
    from django.db import connection
    from django.utils import translation

    import cadres.exports  # noqa: F401 (imports and catalogues load before the clock starts)

    connection.ensure_connection()
    translation.activate(settings.LANGUAGE_CODE)
    translation.gettext("Roster")
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, f"{kind}.xlsx")
        started, cpu_started = time.perf_counter(), time.process_time()
        rows = WRITERS[kind](path)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        size = os.path.getsize(path)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    high_water_kb = _status_kb("VmHWM")
    print(
        json.dumps(
            {
                "kind": kind,
                "rows": rows,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss_mb": peak_kb / 1024,
                "baseline_rss_mb": baseline_kb / 1024,
                "vm_hwm_mb": high_water_kb / 1024,
                "file_mb": size / 1024 / 1024,
            }
        )
    )


# --- the scratch database ---------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from config.embedded_db import embedded_database_url

    return embedded_database_url(BASE_DIR)


def scratch_url(url: str) -> str:
    return urlsplit(url)._replace(path=f"/{SCRATCH_DATABASE}").geturl()


def admin_sql(url: str, *statements: str) -> None:
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def create_scratch_database(url: str) -> None:
    admin_sql(
        url,
        f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)",
        f"CREATE DATABASE {SCRATCH_DATABASE}",
    )


def drop_scratch_database(url: str) -> None:
    admin_sql(url, f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)")


# --- the data ---------------------------------------------------------------------------------


def id_number(n: int) -> str:
    """The n-th of distinct valid resident ID numbers (birth date and sequence from n)."""
    from cadres.validators import id_number_check_character

    rest, sequence = divmod(n, 1000)
    rest, day = divmod(rest, 28)
    year, month = divmod(rest, 12)
    first17 = f"211221{1960 + year:04d}{month + 1:02d}{day + 1:02d}{sequence:03d}"
    return first17 + id_number_check_character(first17)


def load(rows: int, communities: int = 20, buildings: int = 25, units: int = 4) -> None:
    """A county with `communities` communities of `buildings` buildings of `units` units, and
    `rows` cadres each registered once: 60% confirmed, 30% pending, 10% returned; a building
    chief per building, a unit chief per unit and a duty role for every fifth confirmed member."""
    from django.db import connection

    from cadres.models import Cadre, Post, Registration, WorkUnit
    from cadres.models.people import name_initials
    from communities.choices import AreaLevel, Role
    from communities.models import Area, Building, Estate, Unit, User

    province = Area.objects.create(name="辽宁省", level=AreaLevel.PROVINCE)
    city = Area.objects.create(name="铁岭市", level=AreaLevel.CITY, parent=province)
    county = Area.objects.create(name="铁岭县", level=AreaLevel.COUNTY, parent=city)
    township = Area.objects.create(name="莲花湖街道", level=AreaLevel.TOWNSHIP, parent=county)
    User.objects.create(username=BENCH_USERNAME, role=Role.COUNTY_STAFF, area=county)
    places = []  # (community, building, unit) of every unit
    for c in range(communities):
        community = Area.objects.create(
            name=f"第{c + 1}社区", level=AreaLevel.COMMUNITY, parent=township
        )
        estate = Estate.objects.create(community=community, name=f"{c + 1}号小区")
        for b in range(buildings):
            building = Building.objects.create(
                community=community, estate=estate, name=f"{b + 1}号楼"
            )
            for u in range(units):
                unit = Unit.objects.create(building=building, number=u + 1, households=24)
                places.append((community, building, unit))
    work_units = [WorkUnit.objects.create(county=county, name=name) for name in WORK_UNITS]

    initials = {}
    cadres = []
    for n in range(rows):
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 7) % len(GIVEN)] + GIVEN[n % 13]
        if name not in initials:
            initials[name] = name_initials(name)
        cadres.append(
            Cadre(
                name=name,
                gender="male" if n % 2 else "female",
                phone=f"139{n:08d}",
                id_number=id_number(n) if n % 3 else None,
                work_unit=work_units[n % len(work_units)],
                position=POSITIONS[n % len(POSITIONS)],
                party_standing="full" if n % 5 else "probationary",
                name_initials=initials[name],
            )
        )
    cadres = Cadre.objects.bulk_create(cadres, batch_size=5000)

    registrations = []
    signed = date(2020, 2, 6)
    for n, cadre in enumerate(cadres):
        community, building, unit = places[n % len(places)]
        status = ("confirmed",) * 6 + ("pending",) * 3 + ("returned",)
        registrations.append(
            Registration(
                cadre=cadre,
                community=community,
                building=building,
                unit=unit,
                room=f"{(n % 6) + 1}0{(n % 2) + 1}",
                channel=("self_service", "phone", "wechat", "in_person")[n % 4],
                status=status[n % 10],
                return_reason="不在本社区居住" if status[n % 10] == "returned" else "",
                commitment_signed_on=signed + timedelta(days=n % 20) if n % 10 < 6 else None,
                pioneer_post="党员先锋岗" if n % 4 == 0 else "",
            )
        )
    registrations = Registration.objects.bulk_create(registrations, batch_size=5000)

    posts, chiefs = [], set()
    for n, registration in enumerate(registrations):
        if registration.status != "confirmed":
            continue
        community, building, unit = places[n % len(places)]
        if ("b", building.pk) not in chiefs:
            chiefs.add(("b", building.pk))
            kind, place = "building_chief", {"building": building}
        elif ("u", unit.pk) not in chiefs:
            chiefs.add(("u", unit.pk))
            kind, place = "unit_chief", {"building": building, "unit": unit}
        elif n % 5 == 0:
            kind, place = "publicist", {}
        else:
            continue
        posts.append(Post(registration=registration, community=community, kind=kind, **place))
    Post.objects.bulk_create(posts, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- running and reporting --------------------------------------------------------------------


def summarise(runs: dict[str, list[dict]], rows: int) -> dict:
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
        "benchmark": "roster_export",
        "rows": rows,
        "date": datetime.now(tz=UTC).date().isoformat(),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "ours": ours,
        "floor": floor,
        "time_ratio": time_ratio,
        "cpu_ratio": ours["cpu_seconds"] / floor["cpu_seconds"],
        "memory_ratio": ours["peak_rss_mb"] / floor["peak_rss_mb"],
        "targets": {
            "peak_rss_mb_under": MEMORY_TARGET_MB,
            "time_ratio_within": TIME_TARGET_RATIO,
            "memory_met": ours["peak_rss_mb"] < MEMORY_TARGET_MB,
            "time_met": time_ratio <= TIME_TARGET_RATIO,
        },
    }


def markdown(summary: dict) -> str:
    ours, floor, targets = summary["ours"], summary["floor"], summary["targets"]
    runs = len(ours["runs"])

    def line(name: str, figures: dict) -> str:
        return (
            f"| {name} | {figures['seconds']:.2f} s | {figures['cpu_seconds']:.2f} s "
            f"| {figures['peak_rss_mb']:.0f} MB "
            f"| {figures['baseline_rss_mb']:.0f} MB | {figures['file_mb']:.1f} MB |"
        )

    return "\n".join(
        [
            f"# Roster export, {summary['rows']:,} rows",
            "",
            f"{summary['date']}, Python {summary['python']}, {summary['machine']}; "
            f"median of {runs} runs, each in its own process.",
            "",
            "| writer | wall time | CPU time | peak RSS | RSS before writing | file |",
            "|---|---|---|---|---|---|",
            line("ours: `cadres.exports.write_roster`", ours),
            line("floor: openpyxl write-only from one `values_list`", floor),
            "",
            f"- time ours/floor: **{summary['time_ratio']:.2f}x** "
            f"(target within {targets['time_ratio_within']}x: "
            f"{'met' if targets['time_met'] else 'NOT met'}); "
            f"CPU time ours/floor: {summary['cpu_ratio']:.2f}x",
            f"- peak memory: **{ours['peak_rss_mb']:.0f} MB** "
            f"(target under {targets['peak_rss_mb_under']} MB: "
            f"{'met' if targets['memory_met'] else 'NOT met'})",
            "",
        ]
    )


def run_child(
    *args: str,
    database_url: str,
    module: str = "benchmarks.roster_export",
    env: dict[str, str] | None = None,
) -> str:
    """Runs a benchmark script (this one by default) again in a fresh process, with `env` added
    to the environment. The parent stays small (it never loads Django), since Linux counts the
    parent's size at fork in a child's peak RSS."""
    env = {**os.environ, "DJANGO_DEBUG": "false", **(env or {}), "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def measure(kind: str, database_url: str) -> dict:
    return json.loads(run_child("--child", kind, database_url=database_url).splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--output",
        type=Path,
        help="path of the results without suffix (default: benchmarks/results/roster_export, "
        "with the row count added when it is not the default)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--child", choices=sorted(WRITERS), help=argparse.SUPPRESS)
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.load:
        setup_django(os.environ["DATABASE_URL"])
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        load(args.rows)
        return

    url = server_url()
    database_url = scratch_url(url)
    create_scratch_database(url)
    try:
        started = time.perf_counter()
        run_child("--load", "--rows", str(args.rows), database_url=database_url)
        print(f"loaded {args.rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
        runs = {"floor": [], "ours": []}
        for _ in range(args.runs):
            for kind in runs:
                result = measure(kind, database_url)
                if result["rows"] != args.rows:
                    raise SystemExit(f"{kind} wrote {result['rows']} rows, not {args.rows}")
                runs[kind].append(result)
                print(
                    f"{kind:5} {result['seconds']:6.2f} s {result['peak_rss_mb']:6.0f} MB",
                    flush=True,
                )
    finally:
        if not args.keep:
            drop_scratch_database(url)

    summary = summarise(runs, args.rows)
    name = "roster_export" if args.rows == DEFAULT_ROWS else f"roster_export-{args.rows}"
    output = args.output or RESULTS_DIR / name
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(summary))
    print(markdown(summary))


if __name__ == "__main__":
    main()
