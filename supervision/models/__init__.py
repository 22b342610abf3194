from .problems import Problem, ProblemEvidence, ProblemStep
from .reports import DailyReport, DailyReportRevision, Measure, MeasureCheck
from .teams import CountyWideQuerySet, Team, TeamCoverage, TeamMember

__all__ = [
    "CountyWideQuerySet",
    "DailyReport",
    "DailyReportRevision",
    "Measure",
    "MeasureCheck",
    "Problem",
    "ProblemEvidence",
    "ProblemStep",
    "Team",
    "TeamCoverage",
    "TeamMember",
]
