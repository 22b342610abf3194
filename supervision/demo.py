"""Demo data of supervision: a step of `seed_demo` (registered in `SupervisionConfig.ready`).

The 30 strict-control measures (placeholder titles, marked as such); the "1+5+X" teams of 铁岭县
from the source — 县委统战部 covering 大甸子镇 and 官台新苑社区, 县纪委监委 covering 李千户镇 — and
two more, so that every township but 凡河新区 is covered (官台新苑社区 inside it is covered on its
own): the gaps show. One team has only four of its "5", one has no lead department. Each team has
a demo account (`team` … `team4`) that posts its reports.

Two weeks of daily reports end today: a few days missed, today's still missing for two teams, a
couple posted late, one amended; about 125 problems, about 112 of them fixed (resolved or
verified), the rest open, some overdue. Problems move on through `problem_advance`: the community's
staff (its secretary, else the county's organisation department) rectify and resolve, the team's
own account checks and verifies, or reopens when a check fails.

Every write goes through the services, acting as the county's organisation department, a team's
account or a community's staff. A random generator seeded with fixed strings plans the same
reports on every run; rows already there are never touched, so a second run adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.test.utils import override_settings
from django.utils import timezone

from cadres import services as cadre_services
from cadres.models import Cadre, WorkUnit
from communities.choices import AreaLevel, Role
from communities.demo import DemoRun
from communities.models import Area, User
from supervision import services
from supervision.choices import FocusArea, MeasureStatus, ProblemStatus
from supervision.models import DailyReport, Measure, Problem, Team

COUNTY = "铁岭县"
MEASURES = 30
PLACEHOLDER_TITLE = "第{number}条措施（占位，待录入原文）"
DAYS = 14  # two weeks of reports, ending today


@dataclass(frozen=True)
class TeamPlan:
    name: str
    lead_unit: str | None
    coverage: tuple[str, ...]
    # The work unit of each standing member: five, or fewer to show the gap.
    members: tuple[str, ...]
    paired: tuple[str, ...]
    account: tuple[str, str, str]  # username, area, full name
    missed: tuple[int, ...] = ()  # days ago without a report (0 is today)
    late: tuple[int, ...] = ()  # days ago reported after the late hour
    checkpoint: tuple[int, int] = (0, 0)  # about this many vehicles and people a day


TEAMS = (
    TeamPlan(
        "县委统战部督导小分队",
        "县委统战部",
        ("大甸子镇", "官台新苑社区"),
        ("县委统战部", "县委统战部", "县卫健局", "县民政局", "县人社中心"),
        ("县委统战部", "县民政局"),
        ("team", "大甸子镇", "王喆"),
        late=(5,),
        checkpoint=(90, 220),
    ),
    TeamPlan(
        "县纪委监委督导小分队",
        "县纪委监委",
        ("李千户镇",),
        ("县纪委监委", "县纪委监委", "县卫健局", "县农业农村局", "县应急管理局"),
        ("县纪委监委", "县农业农村局"),
        ("team2", "李千户镇", "陈立新"),
        missed=(0, 11),
        late=(3,),
        checkpoint=(60, 150),
    ),
    TeamPlan(
        "县卫健局督导小分队",
        "县卫健局",
        ("莲花湖街道",),
        # Only four: the gap in its "5".
        ("县卫健局", "县卫健局", "县人社中心", "县党建事务服务中心"),
        ("县卫健局", "县人社中心", "县党建事务服务中心"),
        ("team3", "莲花湖街道", "周海燕"),
        missed=(0, 4, 9),
    ),
    TeamPlan(
        "横道镇督导小分队",
        None,  # no lead department: a gap
        ("横道镇",),
        ("县公安局", "县公安局", "县卫健局", "县政府机关事务服务中心", "县应急管理局"),
        ("县公安局",),
        ("team4", "横道镇", "高峰"),
        missed=(6,),
        # The source: about 500 vehicles and over 1,000 people a day at 横道镇's checkpoint.
        checkpoint=(500, 1050),
    ),
)
# County-level leaders made when the cadres demo has too few: name, phone.
LEADERS = (("韩立军", "13904100011"), ("曲文华", "13904100012"), ("姜春生", "13904100013"))
AMENDED = ("县纪委监委督导小分队", 2)  # team, days ago: a report corrected after posting
# Problems found in the reports: the source's "发现问题125个" less the one found on its own.
REPORTED_PROBLEMS = 124
ON_ITS_OWN = (
    "县委统战部督导小分队",
    "官台新苑社区",
    FocusArea.SUPPLIES,
    "十区卡点红外线温度计损坏，需尽快更换",
)

TEXTS = {
    FocusArea.RESPONSIBILITY: (
        "督导{places}，社区书记、包保干部全部在岗在位，责任清单已上墙公示。",
        "检查{places}值班值守情况，下沉干部按排班到岗，交接班记录完整。",
        "与{places}党组织书记谈话，逐项核对包保责任落实情况。",
    ),
    FocusArea.PUBLICITY: (
        "在{places}张贴通告、发放明白纸{leaflets}份，大喇叭、微信群循环播放防疫政策。",
        "入户宣传返乡人员报告要求，发放《致居民的一封信》{leaflets}份。",
        "利用村广播、宣传车在{places}宣传防疫知识，发放宣传单{leaflets}份。",
    ),
    FocusArea.MOBILISATION: (
        "组织在职党员、志愿者参与卡点值守和入户排查，{places}新增志愿者{volunteers}名。",
        "动员楼长、单元长逐户提醒居民减少外出，{volunteers}名党员参与值守。",
        "发动群众互相监督，劝散聚集人员，{volunteers}名志愿者轮班上岗。",
    ),
    FocusArea.SCREENING: (
        "入户排查{households}户、{people}人，发现返乡人员{returnees}名，已落实居家隔离和“十清”登记。",
        "对{places}出租房屋、空置房逐户排查{households}户，核实返乡人员{returnees}名。",
    ),
    FocusArea.SUPPLIES: (
        "协调口罩{masks}个、消毒液{disinfectant}桶，发放至{places}一线卡点。",
        "检查{places}物资储备，补充酒精{alcohol}桶、口罩{masks}个。",
    ),
}
CHECKPOINT_TEXT = "卡点登记车辆{vehicles}台次、人员{checkpoint_people}人次，全部测量体温。"
PROBLEMS = {
    FocusArea.RESPONSIBILITY: (
        "包保干部未按排班到岗",
        "值班记录不全，交接班未登记",
        "责任清单未在社区公示",
        "个别楼长未落实每日巡查",
    ),
    FocusArea.PUBLICITY: (
        "防疫宣传单未发放到户",
        "公告栏宣传材料过期未更新",
        "部分老年居民不了解返乡报告要求",
        "村广播未按时播放防疫通知",
    ),
    FocusArea.MOBILISATION: (
        "居民聚集打牌、未戴口罩",
        "志愿者排班不足，夜间卡点缺人",
        "居民出入未主动出示出入证",
        "报到党员未参与社区值守",
    ),
    FocusArea.SCREENING: (
        "卡点外来车辆登记信息不全",
        "返乡人员“十清”登记不完整",
        "居家隔离人员体温记录缺失",
        "出入口未测体温即放行",
        "出租房屋租户未纳入排查",
    ),
    FocusArea.SUPPLIES: (
        "卡点消毒液储备不足",
        "一线人员口罩发放不及时",
        "红外线温度计数量不足",
        "卡点夜间缺少御寒大衣",
        "消毒记录未按时填写",
    ),
}
PLACES_IN_A_COMMUNITY = ("东门卡点", "西门卡点", "3号楼", "5号楼", "8号楼", "村委会", "南侧出入口")

# The final state of the newest problems, and the number of older ones left open (the rest of
# the older ones are verified): about 112 of 125 fixed, open ones of every kind, some overdue.
RECENT = (
    [ProblemStatus.FOUND] * 3
    + [ProblemStatus.RECTIFYING] * 5
    + [ProblemStatus.RESOLVED] * 6
    + [ProblemStatus.VERIFIED] * 6
)
OLDER_OPEN = {ProblemStatus.FOUND: 1, ProblemStatus.RECTIFYING: 3, ProblemStatus.RESOLVED: 4}
REOPENED = 3  # older problems whose first check failed, then fixed and verified
STEP_NOTES = {
    ProblemStatus.RECTIFYING: "已安排专人整改",
    ProblemStatus.RESOLVED: "已整改到位，附整改说明",
    ProblemStatus.VERIFIED: "复查合格，销号",
}
REOPEN_NOTE = "复查未通过：问题仍然存在，请继续整改"


# --- measures and teams -----------------------------------------------------------------------


def _measures() -> list[Measure]:
    """Measures 1–30 with placeholder titles; a measure already there keeps its title.

    The catalogue is reference data that no service writes; each row is validated first."""
    present = {m.number: m for m in Measure.objects.all()}
    for number in range(1, MEASURES + 1):
        if number not in present:
            measure = Measure(
                number=number, title=PLACEHOLDER_TITLE.format(number=number), is_placeholder=True
            )
            measure.full_clean()
            measure.save()
            present[number] = measure
    return [present[number] for number in sorted(present)]


def _county_actor(county: Area, admin: User) -> User:
    staff = User.objects.filter(role=Role.COUNTY_STAFF, area=county, is_active=True)
    return staff.order_by("username").first() or admin


def _leaders(county: Area, actor: User, needed: int) -> list[Cadre]:
    """The county's leaders, made as cadres of its umbrella unit when the cadres demo has too
    few."""
    leaders = list(
        Cadre.objects.filter(work_unit__county=county, is_county_leader=True).order_by("phone")
    )
    umbrella = WorkUnit.objects.filter(county=county, parent=None).order_by("id").first()
    for name, phone in LEADERS:
        if len(leaders) >= needed or umbrella is None:
            break
        if not Cadre.objects.filter(phone=phone).exists():
            cadre = Cadre(
                name=name,
                phone=phone,
                work_unit=umbrella,
                position="副县长",
                is_county_leader=True,
            )
            leaders.append(cadre_services.cadre_save(actor=actor, cadre=cadre))
    return leaders


def _standing_members(county: Area, plan: TeamPlan, taken: set[int]) -> list[Cadre]:
    members = []
    for unit_name in plan.members:
        cadre = (
            Cadre.objects.filter(
                work_unit__county=county, work_unit__name=unit_name, is_county_leader=False
            )
            .exclude(pk__in=taken)
            .order_by("phone")
            .first()
        )
        if cadre is not None:
            taken.add(cadre.pk)
            members.append(cadre)
    return members


def _teams(run: DemoRun, county: Area, actor: User) -> dict[str, Team]:
    """Creates the teams not there yet (a team there is left as it is) and binds the accounts."""
    teams = {
        t.name: t for t in Team.objects.filter(county=county, name__in=[p.name for p in TEAMS])
    }
    areas = {
        a.name: a
        for a in Area.objects.under(county).filter(
            level__in=[AreaLevel.TOWNSHIP, AreaLevel.COMMUNITY]
        )
    }
    units = {u.name: u for u in WorkUnit.objects.filter(county=county)}
    missing = [plan for plan in TEAMS if plan.name not in teams]
    leaders = iter(_leaders(county, actor, len(missing)) if missing else [])
    taken: set[int] = set()
    for plan in missing:
        team = Team(
            county=county,
            name=plan.name,
            lead_unit=units.get(plan.lead_unit) if plan.lead_unit else None,
            leader=next(leaders, None),
        )
        team = services.team_save(
            actor=actor,
            team=team,
            members=_standing_members(county, plan, taken),
            coverage=[areas[name] for name in plan.coverage if name in areas],
        )
        team.paired_units.set([units[name] for name in plan.paired if name in units])
        teams[plan.name] = team
    for plan in TEAMS:
        username, area_name, full_name = plan.account
        where = f"{plan.name}（{area_name}）"
        user = run.account(username, Role.TEAM_MEMBER, areas.get(area_name), full_name, where=where)
        # Binding an account to its team is no service's business: the admin does it too.
        teams[plan.name].accounts.add(user)
    return teams


# --- reports ----------------------------------------------------------------------------------


@dataclass
class Planned:
    """A team's report of one day as the demo wants it."""

    plan: TeamPlan
    team: Team
    account: User
    day: date
    days_ago: int
    data: services.ReportInput


def _report_input(
    rng: random.Random,
    team: Team,
    plan: TeamPlan,
    day: date,
    days_ago: int,
    covered: list[Area],
    measures: list[Measure],
    problem_count: int,
) -> services.ReportInput:
    visited = sorted(rng.sample(covered, rng.randint(1, len(covered))), key=lambda a: a.name)
    households = rng.randint(40, 160) * len(visited)
    vehicles, people = plan.checkpoint
    figures = {
        "households_visited": households,
        "people_screened": int(households * rng.uniform(2.4, 2.9)),
        "returnees_found": rng.choice((0, 0, 1, 1, 2, 3, 4)),
        "checkpoint_vehicles": int(vehicles * rng.uniform(0.92, 1.08)),
        "checkpoint_people": int(people * rng.uniform(0.96, 1.12)),
        "leaflets": rng.randint(5, 30) * 10,
    }
    values = {
        "places": "、".join(a.name for a in visited),
        "households": figures["households_visited"],
        "people": figures["people_screened"],
        "returnees": figures["returnees_found"],
        "leaflets": figures["leaflets"],
        "volunteers": rng.randint(3, 15),
        "masks": rng.randint(2, 20) * 50,
        "disinfectant": rng.randint(2, 12),
        "alcohol": rng.randint(2, 10),
        "vehicles": figures["checkpoint_vehicles"],
        "checkpoint_people": figures["checkpoint_people"],
    }
    texts = {area.value: rng.choice(TEXTS[area]).format(**values) for area in FocusArea}
    if vehicles:
        texts[FocusArea.SCREENING] += CHECKPOINT_TEXT.format(**values)
    statuses = (MeasureStatus.IN_PLACE, MeasureStatus.PARTLY, MeasureStatus.NOT_IN_PLACE)
    checks = [
        services.MeasureInput(
            measure=measures[(days_ago * 5 + k) % len(measures)],
            community=community,
            status=rng.choices(statuses, (8, 2, 1))[0],
        )
        for community in visited
        for k in range(5)
    ]
    problems = []
    for _ in range(problem_count):
        focus = rng.choice(list(FocusArea))
        problems.append(
            services.ProblemInput(
                community=rng.choice(visited),
                focus_area=focus,
                description=f"{rng.choice(PLACES_IN_A_COMMUNITY)}{rng.choice(PROBLEMS[focus])}",
                deadline=day + timedelta(days=rng.choice((1, 3, 3, 5, 7))),
            )
        )
    return services.ReportInput(
        team=team,
        date=day,
        communities=visited,
        texts=texts,
        figures=figures,
        measures=checks,
        problems=problems,
    )


def _problem_counts(rng: random.Random, reports: int) -> list[int]:
    """Problems per report, adding up to REPORTED_PROBLEMS."""
    counts = [rng.choice((0, 1, 2, 2, 3, 3, 4, 5)) for _ in range(reports)]
    while reports and sum(counts) != REPORTED_PROBLEMS:
        index = rng.randrange(reports)
        if sum(counts) > REPORTED_PROBLEMS and counts[index] > 0:
            counts[index] -= 1
        elif sum(counts) < REPORTED_PROBLEMS and counts[index] < 6:
            counts[index] += 1
    return counts


def _plan_reports(
    teams: dict[str, Team], accounts: dict[str, User], measures: list[Measure], today: date
) -> list[Planned]:
    days = [
        (plan, days_ago)
        for days_ago in range(DAYS - 1, -1, -1)
        for plan in TEAMS
        if days_ago not in plan.missed
    ]
    rng = random.Random("supervision-demo/reports")
    counts = _problem_counts(rng, len(days))
    covered = {
        plan.name: sorted(services.covered_communities(teams[plan.name]), key=lambda a: a.name)
        for plan in TEAMS
    }
    planned = []
    for (plan, days_ago), count in zip(days, counts, strict=True):
        day = today - timedelta(days=days_ago)
        team = teams[plan.name]
        day_rng = random.Random(f"supervision-demo/{plan.name}/{days_ago}")
        data = _report_input(
            day_rng, team, plan, day, days_ago, covered[plan.name], measures, count
        )
        planned.append(Planned(plan, team, accounts[plan.name], day, days_ago, data))
    return planned


def _posted_at(rng: random.Random, day: date, late: bool) -> datetime:
    hour = rng.randint(20, 22) if late else rng.randint(16, 19)
    return timezone.make_aware(datetime.combine(day, time(hour, rng.randint(5, 55))))


def _post_reports(planned: list[Planned]) -> list[Problem]:
    """Posts the reports not there yet through the service; returns the problems they found."""
    present = set(
        DailyReport.objects.filter(
            team__in={p.team for p in planned}, date__gte=min(p.day for p in planned)
        ).values_list("team_id", "date")
    )
    rng = random.Random("supervision-demo/posted-at")
    problems = []
    # The demo fills in two weeks; a client may post only SUPERVISION_REPORT_DAYS_BACK days late.
    with override_settings(SUPERVISION_REPORT_DAYS_BACK=DAYS):
        for item in planned:
            if (item.team.pk, item.day) in present:
                continue
            report, created = services.daily_report_submit(actor=item.account, data=item.data)
            if not created:
                continue
            problems.extend(report.problems.order_by("id"))
            if item.days_ago:
                # The one place the demo writes past a service: a back-filled report gets the
                # time it would have been posted at, on time or late, so "late" means something.
                posted = _posted_at(rng, item.day, item.days_ago in item.plan.late)
                DailyReport.objects.filter(pk=report.pk).update(
                    created_at=posted, updated_at=posted
                )
            if (item.plan.name, item.days_ago) == AMENDED:
                item.data.figures["people_screened"] += 12
                item.data.texts[FocusArea.SCREENING] += "（更正：补录漏报人数12人）"
                services.daily_report_amend(actor=item.account, report=report, data=item.data)
    return problems


# --- problems ---------------------------------------------------------------------------------


def _final_states(rng: random.Random, problems: list[Problem]) -> list[tuple[Problem, str, bool]]:
    """(problem, final state, reopened on the way) for each problem, oldest first."""
    problems = sorted(problems, key=lambda p: (p.found_on, p.pk))
    split = max(len(problems) - len(RECENT), 0)
    older, recent = problems[:split], problems[split:]
    recent_states = RECENT[-len(recent) :] if recent else []
    rng.shuffle(recent_states)
    older_states = [state for state, n in OLDER_OPEN.items() for _ in range(n)][: len(older)]
    older_states += [ProblemStatus.VERIFIED] * (len(older) - len(older_states))
    rng.shuffle(older_states)
    reopened = set(
        rng.sample(
            [p.pk for p, s in zip(older, older_states, strict=True) if s == ProblemStatus.VERIFIED],
            min(REOPENED, older_states.count(ProblemStatus.VERIFIED)),
        )
    )
    return [
        (p, s, p.pk in reopened)
        for p, s in zip(older + recent, older_states + recent_states, strict=True)
    ]


def _community_staff(community_ids: set[int], county_actor: User) -> dict[int, User]:
    """Who rectifies and resolves in each community: its secretary, else the county."""
    secretaries = User.objects.filter(
        role=Role.SECRETARY, area_id__in=community_ids, is_active=True
    ).order_by("username")
    staff = {}
    for user in secretaries:
        staff.setdefault(user.area_id, user)
    return {pk: staff.get(pk, county_actor) for pk in community_ids}


def _advance(problems: list[Problem], accounts: dict[int, User], county_actor: User) -> None:
    """Moves each problem to its final state, step by step, by the right people."""
    rng = random.Random("supervision-demo/problems")
    staff = _community_staff({p.community_id for p in problems}, county_actor)
    order = (ProblemStatus.RECTIFYING, ProblemStatus.RESOLVED, ProblemStatus.VERIFIED)
    for problem, final, reopened in _final_states(rng, problems):
        local, team = staff[problem.community_id], accounts[problem.team_id]
        steps = [] if final == ProblemStatus.FOUND else order[: order.index(final) + 1]
        if reopened:
            steps = [*order[:2], ProblemStatus.RECTIFYING, *order[1:]]
        came_from = ProblemStatus.FOUND
        for to_status in steps:
            failed_check = (came_from, to_status) == (
                ProblemStatus.RESOLVED,
                ProblemStatus.RECTIFYING,
            )
            # The team checks fixes (verifies or reopens); the community does the fixing.
            actor = team if to_status == ProblemStatus.VERIFIED or failed_check else local
            note = REOPEN_NOTE if failed_check else STEP_NOTES[to_status]
            services.problem_advance(actor=actor, problem=problem, to_status=to_status, note=note)
            came_from = to_status


def _problem_on_its_own(teams: dict[str, Team], accounts: dict[str, User], today: date) -> None:
    team_name, community_name, focus, description = ON_ITS_OWN
    team = teams[team_name]
    if Problem.objects.filter(team=team, description=description).exists():
        return
    community = services.covered_communities(team).filter(name=community_name).first()
    if community is None:
        return
    services.problem_create(
        actor=accounts[team_name],
        team=team,
        data=services.ProblemInput(
            community=community,
            focus_area=focus,
            description=description,
            deadline=today + timedelta(days=2),
        ),
    )


def seed(run: DemoRun) -> None:
    """The supervision demo step of `seed_demo`."""
    county = Area.objects.filter(level=AreaLevel.COUNTY, name=COUNTY).first()
    if county is None:
        return
    actor = _county_actor(county, run.admin)
    measures = _measures()
    teams = _teams(run, county, actor)
    usernames = {plan.name: plan.account[0] for plan in TEAMS}
    by_username = {u.username: u for u in User.objects.filter(username__in=usernames.values())}
    accounts = {name: by_username[username] for name, username in usernames.items()}
    today = timezone.localdate()
    problems = _post_reports(_plan_reports(teams, accounts, measures, today))
    _advance(problems, {teams[n].pk: u for n, u in accounts.items()}, actor)
    _problem_on_its_own(teams, accounts, today)
    found = Problem.objects.filter(team__county=county)
    fixed = found.filter(status__in=[ProblemStatus.RESOLVED, ProblemStatus.VERIFIED]).count()
    reports = DailyReport.objects.filter(team__county=county).count()
    run.stdout.write(
        f"Supervision: {len(teams)} teams, {len(measures)} measures, {reports} daily reports, "
        f"{found.count()} problems found, {fixed} fixed, {found.overdue().count()} overdue."
    )
