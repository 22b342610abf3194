from .problems import Problem, ProblemEvidence, ProblemStep
from .reports import DailyReport, DailyReportRevision, Measure, MeasureCheck
from .teams import Team, TeamCoverage, TeamMember

__all__ = [
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
