"""Demo data of the appraisal: a step of `seed_demo` (in progress)."""

from communities.demo import DemoRun


def seed(run: DemoRun) -> None:
    """(In progress.)"""
