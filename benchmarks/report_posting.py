"""Posting daily reports: the SQL queries of one post, and the throughput under load against a
bare DRF endpoint.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_report_posting \\
        .venv/bin/python -m benchmarks.report_posting

(Re)creates the scratch database named by DATABASE_URL (`--database` overrides it; the default
`bench_report_posting` when DATABASE_URL names none or the server's maintenance database
`postgres`, which is never dropped) on that server (the embedded one when DATABASE_URL is
unset), connecting to `postgres` to create and drop it, and migrates it, then:

(a) Query count. `POST /api/daily-reports/` of a report with 5 problems (two communities, the
    five texts, the figures), through DRF's test client with a team's token, once with 10
    reports stored and once with 10,000 (each with a problem); CaptureQueriesContext counts the
    SQL. The issue's target: the two counts are equal.

(b) Throughput on loopback. The app is served by gunicorn (2 sync workers, the dev settings
    with DEBUG off); a load generator in a process of its own runs `--clients` threads for
    `--seconds`, each posting, one request after the other over http.client, reports for
    distinct team/day pairs prepared in advance (`--teams` teams × 8 days, today and the 7 days
    a report may be late), each with 5 problems. Against it, the floor: the same settings with
    `benchmarks.bare_urls` as URLconf, a DRF view (same token authentication, permission and
    JSON parser) that inserts the posted body as one row into a table of the same database.
    The two servers take turns, `--rounds` times each. The issue's target: reports reach at
    least half the requests/s of the bare endpoint.

(c) Where the time of a post goes, in one process (Django's test client, no HTTP, no load):
    the median wall and CPU time of a report post and of a bare insert, then `--profiled` posts
    under cProfile, the time of each stage (authentication, the input read plainly, the service
    and its one guarded insert statement, the answer, the look-up and the serializer that only
    refused or other bodies take, and all SQL statements as the driver waits for them) per post.
    The profiler slows everything down alike: its shares are the result.

Results (medians over the rounds) go to benchmarks/results/report_posting.{json,md}. The
scratch database is dropped at the end unless `--keep`. A quick check: `--seconds 3 --rounds 1`.
"""

import argparse
import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.roster_export import admin_sql, run_child, server_url, setup_django

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "benchmarks" / "results"
SCRATCH_DATABASE = "bench_report_posting"
STORED_SIZES = (10, 10_000)
PROBLEMS = 5
DAYS = 8  # today and SUPERVISION_REPORT_DAYS_BACK (7) days back
WORKERS = 2
TARGET_RATIO = 0.5
WARMUP_REQUESTS = 20
SQL_SHOWN = 160
APP_SETTINGS = "config.settings.dev"
BARE_SETTINGS = "benchmarks.bare_settings"
REPORTS_PATH = "/api/daily-reports/"
BARE_PATH = "/api/bare/"
CHILD_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SETTINGS_MODULE": APP_SETTINGS,
}


MAINTENANCE_DATABASE = "postgres"


def scratch_name(url: str, chosen: str | None) -> str:
    """The scratch database: `--database`, else DATABASE_URL's own, never the maintenance one."""
    name = chosen or urlsplit(url).path.lstrip("/") or SCRATCH_DATABASE
    if name == MAINTENANCE_DATABASE:
        name = SCRATCH_DATABASE if chosen is None else ""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"choose another scratch database name than {name!r}")
    return name


def with_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


# --- in a child process: the data -------------------------------------------------------------


def report_body(team_id: int, day, communities: list[int], n: int) -> dict:
    """A full report, as a team's phone app would post it."""
    return {
        "team": team_id,
        "date": day.isoformat(),
        "communities": communities[:2],
        "texts": {
            "responsibility": f"召开专题会议{n % 5 + 1}次, 落实包保责任",
            "publicity": "发放宣传单, 张贴通告, 流动广播宣传",
            "mobilisation": "组织志愿者分五组开展服务",
            "screening": "逐户排查返乡人员, 登记体温",
            "supplies": "协调口罩、消毒液、酒精等物资",
        },
        "figures": {
            "households_visited": 100 + n % 50,
            "people_screened": 300 + n % 90,
            "returnees_found": n % 4,
            "checkpoint_vehicles": 500,
            "checkpoint_people": 1000,
            "leaflets": 200,
        },
        "problems": [
            {
                "community": communities[p % len(communities)],
                "focus_area": "screening",
                "description": f"返乡人员登记信息不全 ({p + 1})",
                "deadline": (day + timedelta(days=3)).isoformat(),
            }
            for p in range(PROBLEMS)
        ],
    }


def make_teams(county, township, prefix: str, count: int) -> list[tuple[int, str]]:
    """`count` teams covering the township, each with one member account and its token;
    returns (team id, token) pairs."""
    from rest_framework.authtoken.models import Token

    from communities.choices import Role
    from communities.models import User
    from supervision.models import Team, TeamCoverage

    teams = Team.objects.bulk_create(
        Team(county=county, name=f"{prefix}督导小分队{n + 1}") for n in range(count)
    )
    users = User.objects.bulk_create(
        User(username=f"{prefix}-{n + 1}", role=Role.TEAM_MEMBER, password="!")
        for n in range(count)
    )
    Team.accounts.through.objects.bulk_create(
        Team.accounts.through(team=team, user=user) for team, user in zip(teams, users, strict=True)
    )
    TeamCoverage.objects.bulk_create(TeamCoverage(team=team, area=township) for team in teams)
    tokens = Token.objects.bulk_create(Token(user=user, key=Token.generate_key()) for user in users)
    return [(team.pk, token.key) for team, token in zip(teams, tokens, strict=True)]


def setup(pairs_path: str, load_teams: int) -> None:
    """Migrates, loads a county with one township of five communities, the teams of (a) and of
    (b), the bare endpoint's table; writes the prepared posts of (b) to `pairs_path`."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks.bare_urls import CREATE_TABLE
    from communities.choices import AreaLevel
    from communities.models import Area

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
    province = Area.objects.create(name="辽宁省", level=AreaLevel.PROVINCE)
    city = Area.objects.create(name="铁岭市", level=AreaLevel.CITY, parent=province)
    county = Area.objects.create(name="铁岭县", level=AreaLevel.COUNTY, parent=city)
    township = Area.objects.create(name="莲花湖街道", level=AreaLevel.TOWNSHIP, parent=county)
    communities = [
        Area.objects.create(name=f"第{n + 1}社区", level=AreaLevel.COMMUNITY, parent=township).pk
        for n in range(5)
    ]
    teams = make_teams(county, township, "load", load_teams)
    today = timezone.localdate()
    # Day by day, so that concurrent clients post for different teams.
    posts = [
        [token, report_body(team_id, today - timedelta(days=d), communities, n)]
        for d in range(DAYS)
        for n, (team_id, token) in enumerate(teams)
    ]
    Path(pairs_path).write_text(json.dumps(posts, ensure_ascii=False))


# --- in a child process: (a) the query count --------------------------------------------------


def store_reports(county, township, total: int, communities: list) -> None:
    """Brings the stored reports (of teams of their own, each report with a problem) to
    `total`, 100 days a team."""
    from django.utils import timezone

    from communities.models import User
    from supervision.models import DailyReport, Problem, ProblemStep
    from supervision.models.reports import FIGURES

    stored = DailyReport.objects.filter(team__name__startswith="stored").count()
    missing = total - stored
    if missing <= 0:
        return
    per_team = 100
    teams = make_teams(county, township, f"stored{stored}", -(-missing // per_team))
    today = timezone.localdate()
    text = {name: "已完成" for name in ("responsibility", "publicity", "mobilisation")}
    text |= {"screening": "已完成", "supplies": "已完成"}
    reports = DailyReport.objects.bulk_create(
        DailyReport(
            team_id=teams[n // per_team][0],
            date=today - timedelta(days=10 + n % per_team),
            body_hash=f"stored-{stored + n}",
            **text,
            **dict.fromkeys(FIGURES, 10),
        )
        for n in range(missing)
    )
    problems = Problem.objects.bulk_create(
        Problem(
            team_id=report.team_id,
            report=report,
            community=communities[n % len(communities)],
            focus_area="screening",
            description="登记不全",
            found_on=report.date,
        )
        for n, report in enumerate(reports)
    )
    actor = User.objects.order_by("pk").first()
    ProblemStep.objects.bulk_create(
        ProblemStep(problem=problem, to_status="found", actor=actor) for problem in problems
    )


def count_queries() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from communities.models import Area
    from supervision.models import DailyReport

    county = Area.objects.get(level="county")
    township = Area.objects.get(level="township")
    communities = list(Area.objects.communities().order_by("pk"))
    community_ids = [a.pk for a in communities]
    today = timezone.localdate()

    def post(prefix: str) -> tuple[int, list[str]]:
        [(team_id, token)] = make_teams(county, township, prefix, 1)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        body = report_body(team_id, today, community_ids, 0)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(REPORTS_PATH, body, format="json", HTTP_IDEMPOTENCY_KEY=prefix)
        if response.status_code != 201:
            raise SystemExit(f"posting answered {response.status_code}: {response.content!r}")
        return len(queries), [q["sql"][:SQL_SHOWN] for q in queries.captured_queries]

    post("warmup")  # the first request of a process fills Django's caches
    counts = {}
    for size in STORED_SIZES:
        store_reports(county, township, size, communities)
        stored = DailyReport.objects.filter(team__name__startswith="stored").count()
        count, sql = post(f"queries{size}")
        counts[str(size)] = {"stored_reports": stored, "queries": count, "sql": sql}
    return counts


# --- in a child process: (c) where the time goes ----------------------------------------------

# (label, file the function is in, function): the stages of a post, as cProfile names them.
STAGES = [
    ("whole request (Django's handler)", "django/core/handlers/base.py", "get_response"),
    ("token authentication", "rest_framework/authentication.py", "authenticate"),
    ("input: read plainly, ids only", "supervision/api/serializers.py", "plain_report_ids"),
    (
        "service: daily_report_submit_at_once",
        "supervision/services.py",
        "daily_report_submit_at_once",
    ),
    (
        "· the report, communities, checks, problems, steps: 1 guarded statement",
        "supervision/services.py",
        "_insert_report",
    ),
    ("answer: report_data", "supervision/api/serializers.py", "report_data"),
    (
        "(only when refused: the look-up of plain_report_input)",
        "supervision/api/serializers.py",
        "plain_report_input",
    ),
    ("(only for other bodies: the serializer)", "rest_framework/serializers.py", "is_valid"),
    (
        "all SQL: the driver waiting on PostgreSQL (autocommit: commit included)",
        "~",
        "<method 'execute' of 'psycopg2.extensions.cursor' objects>",
    ),
]


def profile_posts(count: int) -> dict:
    """Times `count` report posts and bare inserts through Django's test client (medians of
    wall and CPU time), then profiles `count` more report posts stage by stage."""
    import cProfile
    import pstats

    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from communities.models import Area

    county = Area.objects.get(level="county")
    township = Area.objects.get(level="township")
    communities = list(Area.objects.communities().order_by("pk").values_list("pk", flat=True))
    teams = make_teams(county, township, "profile", 3 * count + 2 * WARMUP_REQUESTS)
    today = timezone.localdate()
    client = Client()

    def post(path: str, n: int) -> None:
        team_id, token = teams[n]
        response = client.post(
            path,
            json.dumps(report_body(team_id, today, communities, n)),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        if response.status_code != 201:
            raise SystemExit(f"{path} answered {response.status_code}: {response.content!r}")

    def timed(path: str, numbers: range) -> dict:
        walls, cpus = [], []
        for n in numbers:
            wall, cpu = time.perf_counter(), time.process_time()
            post(path, n)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        return {
            "wall_ms": round(statistics.median(walls) * 1000, 2),
            "cpu_ms": round(statistics.median(cpus) * 1000, 2),
        }

    with override_settings(ROOT_URLCONF="benchmarks.bare_urls"):
        for n in range(WARMUP_REQUESTS):
            post(BARE_PATH, n)
        bare = timed(BARE_PATH, range(count))
    first = 0
    for first in range(WARMUP_REQUESTS, 2 * WARMUP_REQUESTS):
        post(REPORTS_PATH, first)
    reports = timed(REPORTS_PATH, range(first + 1, first + 1 + count))
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(first + 1 + count, first + 1 + 2 * count):
        post(REPORTS_PATH, n)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    stages = []
    for label, where, function in STAGES:
        seconds = sum(
            cumulative
            for (filename, _, name), (_, _, _, cumulative, _) in stats.items()
            if name == function and filename.endswith(where)
        )
        stages.append({"stage": label, "ms_per_post": round(seconds / count * 1000, 2)})
    return {"posts": count, "bare": bare, "reports": reports, "profiled_stages": stages}


# --- in a child process: (b) the load generator -----------------------------------------------


def generate_load(port: int, path: str, pairs_path: str, start: int, clients: int, seconds: float):
    """Posts the prepared bodies from `start` on, `clients` threads one request after the
    other, WARMUP_REQUESTS first (not timed), then for `seconds`."""
    posts = json.loads(Path(pairs_path).read_text())
    lock = threading.Lock()
    state = {"next": start}
    statuses: dict[int, int] = {}
    latencies: list[float] = []

    def take() -> tuple[str, bytes] | None:
        with lock:
            n = state["next"]
            if n >= len(posts):
                return None
            state["next"] = n + 1
        token, body = posts[n]
        return token, json.dumps(body).encode()

    def send(token: str, body: bytes) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Token {token}",
                    "Accept-Language": "en",
                },
            )
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    for _ in range(WARMUP_REQUESTS):
        item = take()
        if item is not None:
            send(*item)

    deadline = time.perf_counter() + seconds
    exhausted = threading.Event()

    def client() -> None:
        mine_statuses: dict[int, int] = {}
        mine_latencies: list[float] = []
        while time.perf_counter() < deadline:
            item = take()
            if item is None:
                exhausted.set()
                break
            sent = time.perf_counter()
            code = send(*item)
            mine_latencies.append(time.perf_counter() - sent)
            mine_statuses[code] = mine_statuses.get(code, 0) + 1
        with lock:
            latencies.extend(mine_latencies)
            for code, n in mine_statuses.items():
                statuses[code] = statuses.get(code, 0) + n

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
        "latency_median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "latency_p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1)
        if latencies
        else None,
        "next": state["next"],
        "ran_out_of_pairs": exhausted.is_set(),
    }


# --- in the parent: servers and children ------------------------------------------------------


def run_own_child(*args: str, database_url: str) -> str:
    return run_child(
        *args, database_url=database_url, module="benchmarks.report_posting", env=CHILD_ENV
    )


def child_json(*args: str, database_url: str) -> dict:
    return json.loads(run_own_child(*args, database_url=database_url).splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the app (or the bare endpoint) against the scratch database."""

    def __init__(self, settings_module: str, database_url: str):
        self.port = free_port()
        env = {
            **os.environ,
            **CHILD_ENV,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": settings_module,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "2048",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited before it served")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def serve_and_load(
    settings_module: str, path: str, database_url: str, pairs: str, start: int, args
) -> dict:
    server = Server(settings_module, database_url)
    try:
        server.wait_ready()
        return child_json(
            "--load-child",
            "--port",
            str(server.port),
            "--path",
            path,
            "--pairs",
            pairs,
            "--start",
            str(start),
            "--clients",
            str(args.clients),
            "--seconds",
            str(args.seconds),
            database_url=database_url,
        )
    finally:
        server.stop()


# --- the summary ------------------------------------------------------------------------------


def summarise(queries: dict, profile: dict, runs: dict[str, list[dict]], args) -> dict:
    medians = {
        kind: statistics.median(r["requests_per_second"] for r in results)
        for kind, results in runs.items()
    }
    ratio = medians["reports"] / medians["bare"] if medians["bare"] else None
    counts = [q["queries"] for q in queries.values()]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "queries": {
            "problems_per_report": PROBLEMS,
            "by_stored_reports": queries,
            "equal": len(set(counts)) == 1,
        },
        "load": {
            "workers": WORKERS,
            "clients": args.clients,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "problems_per_report": PROBLEMS,
            "runs": runs,
            "requests_per_second": medians,
            "ratio_reports_to_bare": round(ratio, 3) if ratio is not None else None,
            "target_ratio": TARGET_RATIO,
            "target_met": ratio is not None and ratio >= TARGET_RATIO,
        },
        "one_process": profile,
    }


def markdown(summary: dict) -> str:
    queries, load = summary["queries"], summary["load"]
    lines = [
        "# Posting daily reports",
        "",
        f"Run {summary['date']} on {summary['machine']['platform']}, "
        f"{summary['machine']['cpus']} CPUs, Python {summary['machine']['python']}; "
        "`benchmarks/report_posting.py` says how.",
        "",
        f"## (a) SQL queries of one post with {queries['problems_per_report']} problems",
        "",
        "| reports stored | queries |",
        "|---:|---:|",
    ]
    for entry in queries["by_stored_reports"].values():
        lines.append(f"| {entry['stored_reports']:,} | {entry['queries']} |")
    lines += [
        "",
        f"Equal at both sizes (the target): **{'yes' if queries['equal'] else 'no'}**.",
        "",
        f"## (b) Throughput: gunicorn, {load['workers']} sync workers, {load['clients']} "
        f"clients for {load['seconds']} s, median of {load['rounds']} round(s)",
        "",
        "| endpoint | requests/s (median) | median latency, last round | p95, last round "
        "| answers, last round |",
        "|---|---:|---:|---:|---|",
    ]
    titles = {
        "reports": f"`POST {REPORTS_PATH}` ({load['problems_per_report']} problems)",
        "bare": f"bare DRF insert `POST {BARE_PATH}`",
    }
    for kind in ("reports", "bare"):
        last = load["runs"][kind][-1]
        statuses = ", ".join(f"{code}×{n}" for code, n in last["statuses"].items())
        lines.append(
            f"| {titles[kind]} | {load['requests_per_second'][kind]:.1f} | "
            f"{last['latency_median_ms']} ms | {last['latency_p95_ms']} ms | {statuses} |"
        )
    lines += [
        "",
        f"Reports / bare: **{load['ratio_reports_to_bare']}** "
        f"(target ≥ {load['target_ratio']}: **{'met' if load['target_met'] else 'not met'}**).",
        "",
        "The load generator, gunicorn and PostgreSQL share the machine's CPUs, so the absolute "
        "figures are the machine's; the ratio is the result.",
        "",
    ]
    return "\n".join(lines + profile_markdown(summary["one_process"]))


def profile_markdown(profile: dict) -> list[str]:
    bare, reports = profile["bare"], profile["reports"]
    lines = [
        f"## (c) Where the time of a post goes: one process, Django's test client, "
        f"{profile['posts']} posts each",
        "",
        "| | wall, median | CPU of the Python process, median |",
        "|---|---:|---:|",
        f"| `POST {REPORTS_PATH}` (5 problems) | {reports['wall_ms']} ms "
        f"| {reports['cpu_ms']} ms |",
        f"| bare DRF insert | {bare['wall_ms']} ms | {bare['cpu_ms']} ms |",
        "",
        f"Bare / reports, CPU: **{bare['cpu_ms'] / reports['cpu_ms']:.2f}** (no HTTP, no "
        "load generator: what the app itself costs).",
        "",
        "Under cProfile (which slows Python down, not PostgreSQL), per post:",
        "",
        "| stage | ms per post | share |",
        "|---|---:|---:|",
    ]
    whole = profile["profiled_stages"][0]["ms_per_post"]
    for stage in profile["profiled_stages"]:
        share = f"{stage['ms_per_post'] / whole:.0%}" if whole else ""
        lines.append(f"| {stage['stage']} | {stage['ms_per_post']} | {share} |")
    lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--teams", type=int, default=2_000, help="teams posting under load")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "report_posting")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--database", help="scratch database (default: DATABASE_URL's, or bench_report_posting)"
    )
    parser.add_argument("--setup-child", metavar="PAIRS", help=argparse.SUPPRESS)
    parser.add_argument("--queries-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profiled", type=int, default=200, help="posts timed and profiled in (c)")
    parser.add_argument("--load-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--pairs", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup_child:
        setup_django(os.environ["DATABASE_URL"])
        setup(args.setup_child, args.teams)
        return
    if args.queries_child:
        setup_django(os.environ["DATABASE_URL"])
        print(json.dumps(count_queries()))
        return
    if args.profile_child:
        setup_django(os.environ["DATABASE_URL"])
        print(json.dumps(profile_posts(args.profiled)))
        return
    if args.load_child:
        result = generate_load(
            args.port, args.path, args.pairs, args.start, args.clients, args.seconds
        )
        print(json.dumps(result))
        return

    url = server_url()
    scratch = scratch_name(url, args.database)
    database_url = with_database(url, scratch)
    admin_url = with_database(url, MAINTENANCE_DATABASE)
    print(f"scratch database: {scratch}", flush=True)
    admin_sql(
        admin_url,
        f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)",
        f"CREATE DATABASE {scratch}",
    )
    runs: dict[str, list[dict]] = {"bare": [], "reports": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pairs = str(Path(tmp) / "posts.json")
            run_own_child(
                "--setup-child", pairs, "--teams", str(args.teams), database_url=database_url
            )
            queries = child_json("--queries-child", database_url=database_url)
            print(
                "queries:", {size: entry["queries"] for size, entry in queries.items()}, flush=True
            )
            profile = child_json(
                "--profile-child", "--profiled", str(args.profiled), database_url=database_url
            )
            print("in one process:", profile["reports"], "bare:", profile["bare"], flush=True)
            start = 0
            for _ in range(args.rounds):
                for kind, settings_module, path in (
                    ("bare", BARE_SETTINGS, BARE_PATH),
                    ("reports", APP_SETTINGS, REPORTS_PATH),
                ):
                    result = serve_and_load(
                        settings_module,
                        path,
                        database_url,
                        pairs,
                        start if kind == "reports" else 0,
                        args,
                    )
                    if kind == "reports":
                        start = result["next"]
                    runs[kind].append(result)
                    print(
                        f"{kind:7} {result['requests_per_second']:8.1f} req/s "
                        f"{result['statuses']}"
                        + (" (ran out of prepared posts)" if result["ran_out_of_pairs"] else ""),
                        flush=True,
                    )
    finally:
        if not args.keep:
            admin_sql(admin_url, f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")

    summary = summarise(queries, profile, runs, args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.with_suffix(".json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    args.output.with_suffix(".md").write_text(markdown(summary))
    print(markdown(summary))


if __name__ == "__main__":
    main()
