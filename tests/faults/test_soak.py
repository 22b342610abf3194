"""A short soak in CI: a minute of mixed traffic (pages as four roles, API reads, report posts,
registrations, the public pages, the roster export) from a separate process against the app under
gunicorn with 2 workers, on an embedded PostgreSQL server of the test's own. No error, no
unexpected answer, no worker restarted, and the workers' memory flat. benchmarks/soak.py is the
script; the README has the figures of a ten-minute run."""

from benchmarks import soak

MAX_GROWTH = 0.10


def test_a_minute_of_mixed_traffic_has_no_errors_and_flat_memory(embedded_server, tmp_path):
    args = soak.parse_args(
        [
            *("--seconds", "60", "--warmup", "20", "--teams", "100"),
            *("--server-url", embedded_server.url, "--database", "soak"),
            *("--max-growth", str(MAX_GROWTH), "--results-dir", str(tmp_path)),
        ]
    )

    summary = soak.soak(args)

    traffic, memory = summary["traffic"], summary["memory"]
    assert traffic["errors"] == 0, traffic["first_failures"]
    assert traffic["unexpected"] == 0, traffic["first_failures"]
    assert not summary["workers_restarted"], summary["server_log_tail"]
    # Every kind of request was sent, and answered as expected.
    assert all(traffic["statuses"][kind] for kind in soak.MIX), traffic["statuses"]
    assert memory["growth_ratio"] <= MAX_GROWTH, memory
    assert summary["passed"]
