"""Soak: mixed traffic against the app under gunicorn for a while, counting errors and watching
the workers' memory.

    .venv/bin/python -m benchmarks.soak --seconds 600

(Re)creates the scratch database `--database` (default `soak`) on the server of DATABASE_URL (the
embedded one when DATABASE_URL is unset; `--server-url` overrides both), migrates it and loads a
small county: a township of two communities with buildings and units, three work units, 60
confirmed registrations, a supplies donation, and `--teams` supervision teams covering the
township, each with an account and its token. Then it serves the app with gunicorn (2 sync
workers, like production: the dev settings with DEBUG off) on a free loopback port, and a load
generator in a process of its own runs `--clients` threads for `--warmup` + `--seconds`, paced to
`--rate` requests/s in all (0: as fast as the server answers). Each request is drawn at random:

    page views as the secretary, the township, the county and a team's account   35 %
    API reads with a token (areas, registrations, daily reports, problems)        25 %
    daily reports posted (5 problems each; once every team/day is taken, retried) 20 %
    registrations entered through the API by the secretary (a new phone each)     10 %
    the public self-service page and the public notice                              6 %
    the secretary's roster export (?export=xlsx, streamed)                          4 %

Any 5xx answer or failed connection is an error; an answer that is not the one the request
expects (a 4xx, say) is counted apart as unexpected. Meanwhile this process samples the gunicorn
workers' resident memory every `--sample-every` seconds; memory growth is the median of the
workers' total over the last quarter of the measured time against its median over the first
quarter (the warm-up is not measured: the first requests of each kind fill Django's caches).

The run passes when there are no errors, no unexpected answers, no worker restarted, and memory
grew by at most `--max-growth` (default 10 %). Results go to `--results-dir` (default
benchmarks/results/soak.{json,md}); the scratch database is dropped at the end unless `--keep`.
tests/faults/test_soak.py runs it for 60 s against an embedded server of its own.

Throttles and rate limits are meant for people and scripts from the internet, and this load is
one address at far more than a person's pace: the app runs with the rate settings raised through
their environment variables (SOAK_APP_ENV below), as an operator would for a load test.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.report_posting import MAINTENANCE_DATABASE, with_database
from benchmarks.roster_export import admin_sql, run_child, server_url

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "benchmarks" / "results"
SCRATCH_DATABASE = "soak"
PASSWORD = "soak-password-2020"
WORKERS = 2
DAYS = 8  # today and the 7 days a report may be late
APP_SETTINGS = "config.settings.dev"
SOAK_APP_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_LOG_LEVEL": "WARNING",
    # The API's throttles count per account: the secretary's token alone sends some 9 req/s.
    "DJANGO_API_USER_RATE": "1000000/min",
    "DJANGO_API_ANON_RATE": "1000000/min",
}
MIX = {
    "page": 35,
    "api_read": 25,
    "report": 20,
    "registration": 10,
    "public": 6,
    "export": 4,
}
EXPECTED = {
    "page": {200},
    "api_read": {200},
    "report": {200, 201},
    "registration": {201},
    "public": {200},
    "export": {200},
}


# --- in a child process: the database ---------------------------------------------------------


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", APP_SETTINGS)
    import django

    django.setup()


def seed(teams: int) -> dict:
    """Migrates and loads the soak's county; returns what the clients need (ids, tokens, the
    self-service token, the usernames; every password is PASSWORD)."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from benchmarks.report_posting import make_teams
    from cadres import services as cadres_services
    from cadres.models import WorkUnit
    from cadres.views.self_service import community_token
    from communities.choices import AreaLevel, Role
    from communities.models import Area, Building, Estate, Unit, User
    from supplies import services as supplies_services
    from supplies.models import Item, Party

    call_command("migrate", verbosity=0)
    province = Area.objects.create(name="辽宁省", level=AreaLevel.PROVINCE)
    city = Area.objects.create(name="铁岭市", level=AreaLevel.CITY, parent=province)
    county = Area.objects.create(name="铁岭县", level=AreaLevel.COUNTY, parent=city)
    township = Area.objects.create(name="莲花湖街道", level=AreaLevel.TOWNSHIP, parent=county)
    communities = [
        Area.objects.create(name=name, level=AreaLevel.COMMUNITY, parent=township)
        for name in ("水木华园社区", "天嘉苑社区")
    ]
    for community in communities:
        estate = Estate.objects.create(community=community, name="一生活区")
        for b in range(4):
            building = Building.objects.create(
                estate=estate, community=community, name=f"{b + 1}号楼"
            )
            for number in (1, 2):
                Unit.objects.create(building=building, number=number, households=30)
    units = [
        WorkUnit.objects.create(county=county, name=name)
        for name in ("县民政局", "县人社中心", "县农业农村局")
    ]

    def account(username: str, role: str, area: Area) -> User:
        user = User(username=username, role=role, area=area)
        user.set_password(PASSWORD)
        user.save()
        return user

    secretary = account("soak-secretary", Role.SECRETARY, communities[0])
    account("soak-township", Role.TOWNSHIP_STAFF, township)
    county_staff = account("soak-county", Role.COUNTY_STAFF, county)
    pending = [
        cadres_services.registration_submit(
            actor=secretary,
            community=communities[0],
            details=cadres_services.CadreDetails(
                name=f"干部{n}", phone=f"138{n:08d}", work_unit=units[n % len(units)]
            ),
            channel="in_person",
        )
        for n in range(60)
    ]
    cadres_services.registration_confirm(actor=secretary, registrations=pending)

    item = Item.objects.create(name="口罩", category="protection", unit="ge")
    supplies_services.entry_record(
        actor=county_staff,
        kind="donation",
        line=supplies_services.EntryLine(item=item, quantity=Decimal(5530)),
        entry_date=timezone.localdate(),
        from_party=supplies_services.outside_party(
            actor=county_staff, county=county, kind="enterprise", name="铁岭某药业公司"
        ),
        to_party=Party.objects.get(area=communities[0]),
    )

    team_tokens = make_teams(county, township, "soak", teams)
    team_user = User.objects.get(username="soak-1")
    team_user.set_password(PASSWORD)
    team_user.save()
    return {
        "county": county.pk,
        "communities": [c.pk for c in communities],
        "work_units": [u.pk for u in units],
        "self_service_token": community_token(communities[0]),
        "secretary_token": Token.objects.create(user=secretary).key,
        "teams": team_tokens,
        "today": timezone.localdate().isoformat(),
        "users": {
            "secretary": "soak-secretary",
            "township": "soak-township",
            "county": "soak-county",
            "team": "soak-1",
        },
    }


# --- the traffic (used by the load child and by tests/faults) ---------------------------------


def login(session, base_url: str, username: str) -> None:
    """Logs `session` (a requests.Session) in through the login form, as a browser does."""
    login_url = f"{base_url}/accounts/login/"
    session.get(login_url, timeout=30).raise_for_status()
    response = session.post(
        login_url,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"logging in as {username} answered {response.status_code}")


def report_posts(world: dict) -> list[tuple[str, dict]]:
    """Every team's report for each day it may still post, as (token, body), day by day."""
    from datetime import date

    from benchmarks.report_posting import report_body

    today = date.fromisoformat(world["today"])
    return [
        (token, report_body(team_id, today - timedelta(days=d), world["communities"], n))
        for d in range(DAYS)
        for n, (team_id, token) in enumerate(world["teams"])
    ]


def registration_body(world: dict, n: int) -> dict:
    """A new member entered by the secretary: the phone is new for every n."""
    return {
        "community": world["communities"][0],
        "name": f"报到{n}",
        "phone": f"139{n:08d}",
        "work_unit": world["work_units"][n % len(world["work_units"])],
        "channel": "phone",
    }


PAGES = {
    "secretary": ["/", "/registrations/", "/gaps/", "/supplies/", "/supplies/balances/"],
    "township": ["/", "/registrations/", "/supervision/"],
    "county": ["/", "/supervision/", "/teams/", "/work-units/", "/problems/"],
    "team": ["/", "/problems/", "/reports/"],
}
API_READS = ["/api/areas/", "/api/registrations/", "/api/daily-reports/", "/api/problems/"]


class Traffic:
    """What the clients share: the world, the prepared report posts, counters for new phones."""

    def __init__(self, base_url: str, world: dict, phone_offset: int):
        self.base_url = base_url
        self.world = world
        self.posts = report_posts(world)
        self.lock = threading.Lock()
        self.next_post = 0
        self.next_phone = phone_offset

    def take_post(self) -> tuple[str, dict, str]:
        """The next team/day's report, or (all taken) one already posted again: a retry."""
        with self.lock:
            n = self.next_post
            self.next_post += 1
        token, body = self.posts[n % len(self.posts)]
        return token, body, f"soak-{body['team']}-{body['date']}"

    def take_phone(self) -> int:
        with self.lock:
            self.next_phone += 1
            return self.next_phone

    def request(self, kind: str, sessions: dict, api, rng: random.Random):
        """Sends one request of `kind`; returns the response."""
        base = self.base_url
        if kind == "page":
            role = rng.choice(sorted(PAGES))
            return sessions[role].get(base + rng.choice(PAGES[role]), timeout=60)
        if kind == "api_read":
            return api.get(base + rng.choice(API_READS), timeout=60)
        if kind == "report":
            token, body, key = self.take_post()
            return api.post(
                f"{base}/api/daily-reports/",
                json=body,
                headers={"Authorization": f"Token {token}", "Idempotency-Key": key},
                timeout=60,
            )
        if kind == "registration":
            body = registration_body(self.world, self.take_phone())
            return api.post(f"{base}/api/registrations/", json=body, timeout=60)
        if kind == "public":
            if rng.random() < 0.5:
                return api.get(
                    f"{base}/register/{self.world['self_service_token']}/",
                    headers={"Authorization": None},
                    timeout=60,
                )
            return api.get(f"{base}/supplies/notice/{self.world['county']}/", timeout=60)
        if kind == "export":
            return sessions["secretary"].get(f"{base}/registrations/?export=xlsx", timeout=120)
        raise ValueError(kind)


def generate_load(base_url: str, world: dict, args) -> dict:
    """`args.clients` threads, each logged in as every role, send requests drawn from MIX for
    `args.warmup` + `args.seconds`; returns the counts by kind and status, the errors, and
    when the measured part began and ended (wall clock)."""
    import requests

    traffic = Traffic(base_url, world, phone_offset=args.phone_offset)
    kinds, weights = zip(*MIX.items(), strict=True)
    interval = args.clients / args.rate if args.rate else 0.0
    lock = threading.Lock()
    statuses: dict[str, dict[str, int]] = {kind: {} for kind in MIX}
    latencies: dict[str, list[float]] = {kind: [] for kind in MIX}
    failures: list[str] = []
    ready = threading.Barrier(args.clients + 1)
    go = threading.Event()
    clock = {}

    # Each role logs in once; its clients share the session cookie, as a user's browser tabs do.
    cookies = {}
    for role, username in world["users"].items():
        browser = requests.Session()
        login(browser, base_url, username)
        cookies[role] = browser.cookies.get_dict()

    def client(index: int) -> None:
        rng = random.Random(index)
        sessions = {}
        for role, jar in cookies.items():
            sessions[role] = requests.Session()
            sessions[role].cookies.update(jar)
        api = requests.Session()
        api.headers["Authorization"] = f"Token {world['secretary_token']}"
        ready.wait(timeout=120)
        go.wait()
        next_at = time.monotonic()
        while time.monotonic() < clock["end"]:
            kind = rng.choices(kinds, weights)[0]
            sent = time.monotonic()
            try:
                response = traffic.request(kind, sessions, api, rng)
                code = str(response.status_code)
                if response.status_code >= 500 or response.status_code not in EXPECTED[kind]:
                    with lock:
                        failures.append(f"{kind} {response.url}: {code} {response.text[:200]}")
            except requests.RequestException as error:
                code = "connection error"
                with lock:
                    failures.append(f"{kind}: {error!r}")
            elapsed = time.monotonic() - sent
            with lock:
                statuses[kind][code] = statuses[kind].get(code, 0) + 1
                if sent >= clock["measured_from"]:
                    latencies[kind].append(elapsed)
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    ready.wait(timeout=120)
    started = time.monotonic()
    clock["measured_from"] = started + args.warmup
    clock["end"] = clock["measured_from"] + args.seconds
    wall_measured_from = time.time() + args.warmup
    go.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    requests_sent = sum(sum(s.values()) for s in statuses.values())
    errors = sum(
        n
        for by_code in statuses.values()
        for code, n in by_code.items()
        if code == "connection error" or int(code) >= 500
    )
    unexpected = sum(
        n
        for kind, by_code in statuses.items()
        for code, n in by_code.items()
        if code != "connection error" and int(code) < 500 and int(code) not in EXPECTED[kind]
    )
    return {
        "requests": requests_sent,
        "seconds": round(elapsed, 1),
        "requests_per_second": round(requests_sent / elapsed, 1),
        "errors": errors,
        "unexpected": unexpected,
        "statuses": statuses,
        "latency_ms": {
            kind: {
                "median": round(statistics.median(values) * 1000, 1),
                "p95": round(sorted(values)[int(len(values) * 0.95)] * 1000, 1),
            }
            for kind, values in latencies.items()
            if values
        },
        "reports_taken": traffic.next_post,
        "report_pairs": len(traffic.posts),
        "first_failures": failures[:20],
        "measured_from": wall_measured_from,
        "measured_until": time.time(),
    }


# --- in the parent: the database, the server, the memory --------------------------------------


def check_name(name: str) -> str:
    if name == "postgres" or not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"choose another scratch database name than {name!r}")
    return name


def prepare(server: str, name: str, teams: int) -> tuple[str, dict]:
    """Creates the scratch database `name` afresh, migrates and seeds it (in a child process);
    returns its URL and the world the clients need."""
    name = check_name(name)
    admin_sql(
        with_database(server, MAINTENANCE_DATABASE),
        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
        f"CREATE DATABASE {name}",
    )
    url = with_database(server, name)
    with tempfile.NamedTemporaryFile(suffix=".json") as world_file:
        run_soak_child("--seed-child", world_file.name, "--teams", str(teams), database_url=url)
        return url, json.loads(Path(world_file.name).read_text())


def drop(server: str, name: str) -> None:
    admin_sql(
        with_database(server, MAINTENANCE_DATABASE),
        f"DROP DATABASE IF EXISTS {check_name(name)} WITH (FORCE)",
    )


def run_soak_child(*args: str, database_url: str) -> str:
    env = {**SOAK_APP_ENV, "DJANGO_SETTINGS_MODULE": APP_SETTINGS}
    return run_child(*args, database_url=database_url, module="benchmarks.soak", env=env)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """gunicorn (2 sync workers) serving the app against `database_url` on a loopback port; its
    output goes to a log file."""

    def __init__(self, database_url: str, log_path: Path, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {**os.environ, **SOAK_APP_ENV, **(extra_env or {}), "DATABASE_URL": database_url}
        env["DJANGO_SETTINGS_MODULE"] = APP_SETTINGS
        self.log = open(log_path, "ab")  # closed in stop()
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
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import socket

        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited before it served:\n{self.log_tail()}")
            if len(self.worker_pids()) == WORKERS:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
                    return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        import psutil

        try:
            return sorted(p.pid for p in psutil.Process(self.process.pid).children())
        except psutil.NoSuchProcess:
            return []

    def worker_rss(self) -> dict[int, int]:
        """Each worker's resident memory in bytes."""
        import psutil

        sizes = {}
        for pid in self.worker_pids():
            try:
                sizes[pid] = psutil.Process(pid).memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return sizes

    def log_tail(self, size: int = 4000) -> str:
        self.log.flush()
        return self.log_path.read_bytes()[-size:].decode(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def memory_growth(samples: list[tuple[float, dict[int, int]]], start: float, end: float) -> dict:
    """The workers' total RSS: median of the last quarter of [start, end] against the first."""
    measured = [(t, sum(sizes.values())) for t, sizes in samples if start <= t <= end]
    if len(measured) < 8:
        raise RuntimeError(f"only {len(measured)} memory samples in the measured time")
    quarter = len(measured) // 4
    first = statistics.median(total for _, total in measured[:quarter])
    last = statistics.median(total for _, total in measured[-quarter:])
    mb = 1024 * 1024
    step = max(1, len(measured) // 60)
    return {
        "samples": len(measured),
        "series_mb": [round(total / mb, 1) for _, total in measured[::step]],
        "first_quarter_median_mb": round(first / mb, 1),
        "last_quarter_median_mb": round(last / mb, 1),
        "peak_mb": round(max(total for _, total in measured) / mb, 1),
        "growth_mb": round((last - first) / mb, 1),
        "growth_ratio": round((last - first) / first, 4),
    }


def soak(args) -> dict:
    """Prepares the database, serves the app, runs the load child and samples the workers."""
    server = args.server_url or server_url()
    database_url, world = prepare(server, args.database, args.teams)
    log_path = Path(tempfile.mkdtemp(prefix="zaizhi-soak-")) / "gunicorn.log"
    app = AppServer(database_url, log_path)
    samples: list[tuple[float, dict[int, int]]] = []
    try:
        app.wait_ready()
        workers = app.worker_pids()
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as world_file:
            json.dump(world, world_file)
        load = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.soak",
                "--load-child",
                world_file.name,
                "--base-url",
                app.url,
                *("--clients", str(args.clients), "--rate", str(args.rate)),
                *("--seconds", str(args.seconds), "--warmup", str(args.warmup)),
            ],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while load.poll() is None:
            samples.append((time.time(), app.worker_rss()))
            time.sleep(args.sample_every)
        out, err = load.communicate()
        os.unlink(world_file.name)
        if load.returncode != 0:
            raise RuntimeError(f"the load generator failed:\n{err}")
        traffic = json.loads(out.splitlines()[-1])
        restarted = app.worker_pids() != workers
        server_log = app.log_tail()
    finally:
        app.stop()
        if not args.keep:
            drop(server, args.database)
    memory = memory_growth(samples, traffic["measured_from"], traffic["measured_until"])
    del traffic["measured_from"], traffic["measured_until"]
    passed = (
        traffic["errors"] == 0
        and traffic["unexpected"] == 0
        and not restarted
        and memory["growth_ratio"] <= args.max_growth
    )
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "settings": {
            "workers": WORKERS,
            "clients": args.clients,
            "rate": args.rate,
            "warmup": args.warmup,
            "seconds": args.seconds,
            "teams": args.teams,
            "mix": MIX,
        },
        "traffic": traffic,
        "workers_restarted": restarted,
        "memory": memory,
        "max_growth": args.max_growth,
        "passed": passed,
        "server_log_tail": server_log if not passed else "",
    }


def markdown(summary: dict) -> str:
    s, t, m = summary["settings"], summary["traffic"], summary["memory"]
    lines = [
        "# Soak",
        "",
        f"Run {summary['date']}, {summary['machine']['cpus']} CPUs; `benchmarks/soak.py` says how.",
        "",
        f"gunicorn, {s['workers']} sync workers; {s['clients']} clients in a separate process, "
        f"paced to {s['rate'] or 'unlimited'} req/s; {s['warmup']} s warm-up, then "
        f"{s['seconds']} s measured.",
        "",
        f"- requests: **{t['requests']:,}** ({t['requests_per_second']} req/s)",
        f"- errors (5xx or connection): **{t['errors']}**; unexpected answers: "
        f"**{t['unexpected']}**; workers restarted: **{summary['workers_restarted']}**",
        f"- workers' memory (both together): first quarter {m['first_quarter_median_mb']} MB, "
        f"last quarter {m['last_quarter_median_mb']} MB, growth **{m['growth_mb']} MB "
        f"({m['growth_ratio']:.1%})**, bound {summary['max_growth']:.0%}; peak {m['peak_mb']} MB",
        f"- report posts: {t['reports_taken']:,} for {t['report_pairs']:,} team/day pairs "
        "(beyond that, retries answered 200)",
        "",
        "| kind | answers | median ms | p95 ms |",
        "|---|---|---:|---:|",
    ]
    for kind, by_code in t["statuses"].items():
        answers = ", ".join(f"{code}×{n}" for code, n in sorted(by_code.items()))
        latency = t["latency_ms"].get(kind, {})
        lines.append(
            f"| {kind} | {answers} | {latency.get('median', '')} | {latency.get('p95', '')} |"
        )
    lines += ["", f"Passed: **{'yes' if summary['passed'] else 'no'}**.", ""]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="measured time")
    parser.add_argument("--warmup", type=float, default=15)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--rate", type=float, default=25, help="requests/s in all; 0: no pace")
    parser.add_argument("--teams", type=int, default=400)
    parser.add_argument("--sample-every", type=float, default=1.0)
    parser.add_argument("--max-growth", type=float, default=0.10)
    parser.add_argument("--server-url", help="the PostgreSQL server (default: DATABASE_URL)")
    parser.add_argument("--database", default=SCRATCH_DATABASE)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--seed-child", help=argparse.SUPPRESS)
    parser.add_argument("--load-child", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--phone-offset", type=int, default=10_000_000, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.seed_child:
        setup_django(os.environ["DATABASE_URL"])
        Path(args.seed_child).write_text(json.dumps(seed(args.teams), ensure_ascii=False))
        return 0
    if args.load_child:
        world = json.loads(Path(args.load_child).read_text())
        print(json.dumps(generate_load(args.base_url, world, args)))
        return 0
    summary = soak(args)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / "soak.json").write_text(json.dumps(summary, indent=2) + "\n")
    (args.results_dir / "soak.md").write_text(markdown(summary))
    print(markdown(summary))
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
