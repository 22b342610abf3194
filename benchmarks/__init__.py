"""Benchmarks: scripts run by hand (`python -m benchmarks.<name>`), not timed tests. Each makes
its own scratch database and writes its last figures under benchmarks/results/."""
