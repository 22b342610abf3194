"""Demo data of the appraisal: a step of `seed_demo` (registered in `AppraisalConfig.ready`),
run after the cadres, supervision and supplies steps.

Two periods of 铁岭县:

- "2020年疫情防控一线专项考核", over the two weeks the supervision demo reports on, ending today:
  every cadre serving in it has all three inputs — the on-site inspection by the team covering
  their community (the organisation department where no team covers it), the secretary's talk and
  the residents' counts by the community's secretary (the department where the demo has no
  secretary account) — a final grade within the 优秀 quota of their work unit (about one in five),
  and an opinion; the best are commended (嘉奖, 记功). Then it is closed, last.
- "<this year>年度考核", the year's appraisal, still open: inspections where the teams have been,
  the talks and counts of the communities with a secretary account, grades for those complete.

The scores are planned by a random generator seeded with each cadre's phone, so every run plans
the same. Every write goes through `appraisal.services`, acting as the right people; a period
already there is left as it is (a closed one cannot change anyway), so a second run adds nothing.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from appraisal import services
from appraisal.choices import CommendationKind, Grade, PeriodStatus
from appraisal.models import Appraisal, Period
from cadres.models import WorkUnit
from communities.choices import AreaLevel, Role
from communities.demo import DemoRun
from communities.models import Area, User
from supervision.models import Team
from supervision.services import covered_communities

COUNTY = "铁岭县"
CLOSED = "2020年疫情防控一线专项考核"
DAYS = 14  # the supervision demo's two weeks of reports
APPROVER = "中共铁岭县委组织部"
QUOTA_SHARE = 5  # one 优秀 place for every five cadres of a unit, at least one

INSPECTION_NOTES = {
    "high": (
        "卡点值守到位，体温测量、车辆登记规范，群众反映好",
        "入户排查认真细致，返乡人员台账清楚，问题当场整改",
        "按排班提前到岗，佩戴党员标识，带头做好消杀",
        "担任楼长期间逐户摸排，独居老人帮扶到位",
    ),
    "mid": (
        "能按排班到岗，值守记录基本完整",
        "参与入户排查，台账个别信息不全，已提醒补齐",
        "卡点值守认真，宣传引导还可加强",
    ),
    "low": (
        "值守期间偶有脱岗，登记不够规范",
        "排查台账不完整，需加强责任意识",
    ),
}
TALK_NOTES = {
    "high": (
        "书记评价：工作主动，服从安排，主动认领楼栋排查任务",
        "书记评价：发挥党员先锋作用，带动居民志愿者参与值守",
        "书记评价：协调物资积极，为社区解决实际困难",
    ),
    "mid": (
        "书记评价：能够完成社区分配的值守和排查任务",
        "书记评价：参与社区防控工作，表现较好",
    ),
    "low": (
        "书记评价：参与次数偏少，需加强与社区的沟通",
        "书记评价：报到后参与防控工作不够积极",
    ),
}
OPINIONS = {
    Grade.EXCELLENT: (
        "该同志在疫情防控一线冲锋在前，工作扎实，群众满意度高，确定为优秀等次。",
        "该同志主动担当，带头值守卡点、入户排查，发挥了党员先锋模范作用，确定为优秀等次。",
    ),
    Grade.COMPETENT: (
        "该同志积极参与社区疫情防控，能够按要求完成值守和排查任务，确定为称职等次。",
        "该同志服从社区安排，履行在职党员“双岗双责”，确定为称职等次。",
    ),
    Grade.BASIC: ("该同志能够参与社区防控工作，但主动性有待加强，确定为基本称职等次。",),
    Grade.INCOMPETENT: (
        "该同志报到后参与社区防控工作较少，群众满意度低，确定为不称职等次，责成所在单位督促整改。",
    ),
}
MERIT_REASON = "在疫情防控一线专项考核中表现突出，带头值守卡点、入户排查，成效显著，给予记功"
CITATION_REASON = "在疫情防控一线专项考核中被确定为优秀等次，给予嘉奖"
MERITS = 2  # the best two of the county get a 记功, the other 优秀 a 嘉奖 (up to CITATIONS)
CITATIONS = 6


@dataclass(frozen=True)
class Plan:
    """The scores planned for one cadre in one period."""

    inspection: Decimal
    inspection_note: str
    talk: Decimal
    talk_note: str
    satisfied: int
    basically_satisfied: int
    unsatisfied: int


def _level(score: float) -> str:
    return "high" if score >= 88 else "mid" if score >= 72 else "low"


def _plan(appraisal: Appraisal, period_name: str) -> Plan:
    rng = random.Random(f"appraisal-demo/{period_name}/{appraisal.cadre.phone}")
    quality = min(max(rng.gauss(84, 7), 52), 98)
    inspection = min(max(quality + rng.uniform(-4, 4), 40), 100)
    talk = min(max(quality + rng.uniform(-5, 3), 40), 100)
    total = rng.randint(8, 20)
    share = min(max((quality - 45) / 50, 0), 1)
    satisfied = min(round(total * share * rng.uniform(0.9, 1.05)), total)
    unsatisfied = min(rng.choice((0, 0, 1, 2)) if quality < 72 else 0, total - satisfied)
    return Plan(
        inspection=Decimal(f"{inspection:.1f}"),
        inspection_note=rng.choice(INSPECTION_NOTES[_level(inspection)]),
        talk=Decimal(f"{talk:.1f}"),
        talk_note=rng.choice(TALK_NOTES[_level(talk)]),
        satisfied=satisfied,
        basically_satisfied=total - satisfied - unsatisfied,
        unsatisfied=unsatisfied,
    )


class People:
    """Who enters what: the account of the team covering a community, the community's
    secretary, and the organisation department for everything else."""

    def __init__(self, county: Area, admin: User):
        staff = User.objects.filter(role=Role.COUNTY_STAFF, area=county, is_active=True)
        self.department = staff.order_by("username").first() or admin
        self.teams: dict[int, User] = {}
        for team in Team.objects.filter(county=county).order_by("name"):
            account = team.accounts.filter(is_active=True).order_by("username").first()
            if account is None:
                continue
            for community_id in covered_communities(team).values_list("pk", flat=True):
                self.teams.setdefault(community_id, account)
        self.secretaries: dict[int, User] = {}
        secretaries = User.objects.filter(
            role=Role.SECRETARY, is_active=True, area__path__startswith=county.path
        )
        for user in secretaries.order_by("username"):
            self.secretaries.setdefault(user.area_id, user)

    def inspector(self, appraisal: Appraisal) -> User:
        return self.teams.get(appraisal.community_id, self.department)

    def secretary(self, appraisal: Appraisal) -> User:
        return self.secretaries.get(appraisal.community_id, self.department)


def _enter(actor: User, appraisal: Appraisal, changes: dict) -> Appraisal:
    return services.appraisal_update(actor=actor, appraisal=appraisal, changes=changes)


def _inspect(people: People, appraisal: Appraisal, plan: Plan) -> Appraisal:
    return _enter(
        people.inspector(appraisal),
        appraisal,
        {"inspection_score": plan.inspection, "inspection_note": plan.inspection_note},
    )


def _talk_and_count(people: People, appraisal: Appraisal, plan: Plan) -> Appraisal:
    return _enter(
        people.secretary(appraisal),
        appraisal,
        {
            "talk_score": plan.talk,
            "talk_note": plan.talk_note,
            "satisfied": plan.satisfied,
            "basically_satisfied": plan.basically_satisfied,
            "unsatisfied": plan.unsatisfied,
        },
    )


def _quotas(period: Period, actor: User) -> dict[int, int]:
    """One 优秀 place for every five of a unit's cadres in the period, at least one."""
    counts: dict[int, int] = defaultdict(int)
    for unit_id in period.appraisals.values_list("work_unit_id", flat=True):
        counts[unit_id] += 1
    places = {}
    for unit in WorkUnit.objects.filter(pk__in=counts).order_by("name"):
        places[unit.pk] = max(1, counts[unit.pk] // QUOTA_SHARE)
        services.quota_set(actor=actor, period=period, work_unit=unit, excellent=places[unit.pk])
    return places


def _grade(people: People, appraisals: list[Appraisal], places: dict[int, int]) -> list:
    """The final grade as proposed, 优秀 only within the unit's quota (the best first; the
    rest 称职), with an opinion. Returns the 优秀, best first."""
    complete = [a for a in appraisals if a.composite is not None]
    complete.sort(key=lambda a: (-a.composite, a.cadre.name, a.pk))
    left = dict(places)
    excellent = []
    for appraisal in complete:
        grade = appraisal.proposed_grade
        if grade == Grade.EXCELLENT:
            if left.get(appraisal.work_unit_id, 0) > 0:
                left[appraisal.work_unit_id] -= 1
                excellent.append(appraisal)
            else:
                grade = Grade.COMPETENT
        rng = random.Random(f"appraisal-demo/opinion/{appraisal.pk}")
        _enter(
            people.department,
            appraisal,
            {"final_grade": grade, "opinion": rng.choice(OPINIONS[Grade(grade)])},
        )
    return excellent


def _commend(people: People, period: Period, excellent: list[Appraisal], on: date) -> None:
    for rank, appraisal in enumerate(excellent[: MERITS + CITATIONS]):
        merit = rank < MERITS
        services.commendation_add(
            actor=people.department,
            cadre=appraisal.cadre,
            kind=CommendationKind.MERIT if merit else CommendationKind.CITATION,
            awarded_on=on,
            reason=MERIT_REASON if merit else CITATION_REASON,
            approver=APPROVER,
            period=period,
        )


def _appraisals(period: Period) -> list[Appraisal]:
    return list(
        period.appraisals.select_related("period", "cadre").order_by("community_id", "cadre__phone")
    )


def _closed_period(county: Area, people: People, today: date) -> Period | None:
    """The special appraisal of the two weeks on the front line: complete, then closed."""
    if Period.objects.filter(county=county, name=CLOSED).exists():
        return None
    period = services.period_save(
        actor=people.department,
        period=Period(
            county=county, name=CLOSED, starts_on=today - timedelta(days=DAYS - 1), ends_on=today
        ),
    )
    places = _quotas(period, people.department)
    entered = []
    for appraisal in _appraisals(period):
        plan = _plan(appraisal, CLOSED)
        appraisal = _inspect(people, appraisal, plan)
        entered.append(_talk_and_count(people, appraisal, plan))
    excellent = _grade(people, entered, places)
    _commend(people, period, excellent, today)
    return services.period_close(actor=people.department, period=period)


def _open_period(county: Area, people: People, today: date) -> Period | None:
    """The year's appraisal, under way: the teams inspected where they have been, the
    secretaries with an account have talked and counted, the complete ones are graded."""
    name = f"{today.year}年度考核"
    if Period.objects.filter(county=county, name=name).exists():
        return None
    period = services.period_save(
        actor=people.department,
        period=Period(
            county=county,
            name=name,
            starts_on=date(today.year, 1, 1),
            ends_on=date(today.year, 12, 31),
            weight_inspection=30,
            weight_talk=30,
            weight_evaluation=40,
        ),
    )
    places = _quotas(period, people.department)
    entered = []
    for appraisal in _appraisals(period):
        plan = _plan(appraisal, name)
        if appraisal.community_id in people.teams:
            appraisal = _inspect(people, appraisal, plan)
        if appraisal.community_id in people.secretaries:
            appraisal = _talk_and_count(people, appraisal, plan)
        entered.append(appraisal)
    _grade(people, entered, places)
    return period


def seed(run: DemoRun) -> None:
    """The appraisal demo step of `seed_demo`."""
    county = Area.objects.filter(level=AreaLevel.COUNTY, name=COUNTY).first()
    if county is None:
        return
    people = People(county, run.admin)
    today = timezone.localdate()
    _closed_period(county, people, today)
    _open_period(county, people, today)
    periods = Period.objects.filter(county=county)
    appraisals = Appraisal.objects.filter(period__county=county)
    graded = appraisals.exclude(final_grade="")
    excellent = graded.filter(final_grade=Grade.EXCELLENT).count()
    closed = periods.filter(status=PeriodStatus.CLOSED).count()
    missing = appraisals.filter(
        Q(inspection_score=None)
        | Q(talk_score=None)
        | Q(satisfied=0, basically_satisfied=0, unsatisfied=0)
    ).count()
    run.stdout.write(
        f"Appraisal: {periods.count()} periods of {COUNTY} ({closed} closed)"
        f", {appraisals.count()} appraisals, {graded.count()} graded ({excellent} 优秀), "
        f"{missing} still missing an input."
    )
