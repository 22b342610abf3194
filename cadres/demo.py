"""Demo data of the cadres app: a step of `seed_demo` (registered in `CadresConfig.ready`).

The work units of the source (县直机关 and its organs), and about forty members registered with
every community of the demo counties, in every state a secretary meets: mostly confirmed, many
pending (the secretary's morning), a few returned with a reason, one transfer request and one
transfer with its history. Confirmed members hold posts (building and unit chiefs on some places,
gaps elsewhere; duty roles); 赵莹 of 县民政局 is 十区片长 of 官台新苑社区; the first temporary
branch of 水木华园社区 is established with its members and a second one is preparing; a building
Party group or two, a front-line branch of 县民政局, and the unit staff account `unit` of 县民政局.

Names, phones and ID numbers are made up by a random generator seeded with each community's name,
so every run plans the same people. Every write goes through `cadres.services`, acting as the
community's secretary where the demo has one and as the administrator elsewhere. Rows already
there are never touched: a member is found by phone and skipped, so a second run adds nothing.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from cadres import services
from cadres.choices import (
    DUTY_KINDS,
    BranchKind,
    BranchStatus,
    Channel,
    Gender,
    PartyStanding,
    PostKind,
    RegistrationStatus,
)
from cadres.models import Branch, BuildingGroup, Cadre, Post, Registration, WorkUnit
from cadres.validators import id_number_check_character
from communities.choices import AreaLevel, Role
from communities.demo import DemoRun
from communities.models import Area, Building, Estate, Grid, GridBuilding, Unit, User

# County → its umbrella of organs and the organs under it. 铁岭县's come from the source.
WORK_UNITS = {
    "铁岭县": (
        "县直机关",
        (
            "县委组织部",
            "县委统战部",
            "县纪委监委",
            "县人社中心",
            "县农业农村局",
            "县民政局",
            "县公安局",
            "县卫健局",
            "县应急管理局",
            "县政府机关事务服务中心",
            "县党建事务服务中心",
        ),
    ),
    "北票市": ("市直机关", ("市委组织部", "市民政局", "市人社局", "市卫健局", "市农业农村局")),
}
# The first six digits of the ID numbers of people born in each county.
REGION_CODES = {"铁岭县": "211221", "北票市": "211381"}
MEMBERS_PER_COMMUNITY = 40


@dataclass(frozen=True)
class Named:
    """A member the source names, and where they serve."""

    name: str
    gender: str
    work_unit: str
    position: str
    community: str
    channel: str = Channel.PHONE
    # Where they live, when it matters: a zone, or a grid.
    estate: str = ""
    grid: str = ""


NAMED = (
    Named("赵莹", Gender.FEMALE, "县民政局", "科员", "官台新苑社区", Channel.WECHAT, estate="十区"),
    Named("李娇阳", Gender.FEMALE, "县人社中心", "科员", "新弘国际社区"),
    Named("李敬中", Gender.MALE, "县应急管理局", "副局长", "水木华园社区", grid="第1网格"),
    Named("徐静", Gender.FEMALE, "县政府机关事务服务中心", "科员", "水木华园社区", grid="第1网格"),
    Named("刘杨", Gender.MALE, "县农业农村局", "科员", "水木华园社区", grid="第1网格"),
    Named("李潇潇", Gender.FEMALE, "县党建事务服务中心", "科员", "天嘉苑社区"),
    Named("王喆", Gender.FEMALE, "县公安局", "出入境管理大队教导员", "横道河子村"),
)
ZONE_CHIEF = ("官台新苑社区", "十区", "赵莹")
# Grid branches: community, grid, name, founders, established or still preparing. 水木华园社区 set
# up its first temporary branch with these three (the source, 2月15日); two neighbours join each.
GRID_BRANCHES = (
    ("水木华园社区", "第1网格", "防疫工作第一临时党支部", ("李敬中", "徐静", "刘杨"), True),
    ("水木华园社区", "第2网格", "防疫工作第二临时党支部", (), False),
)
FRONT_LINE_BRANCH = ("铁岭县", "县民政局", "县民政局疫情防控一线临时党支部")
BUILDING_GROUP_COMMUNITIES = ("水木华园社区", "天嘉苑社区")
# A member confirmed at the first community moved to the second: transferred, history kept.
TRANSFERRED = ("天嘉苑社区", "水木华园社区")
# A member confirmed at the first community registered at the second: a transfer request.
TRANSFER_REQUEST = ("浅水湾社区", "水木华园社区")
# The demo account of a work unit's staff: username, county, unit, full name.
UNIT_ACCOUNT = ("unit", "铁岭县", "县民政局", "陈晓红")

SURNAMES = (
    "王王王李李李张张张刘刘刘陈陈杨杨赵赵孙孙于于马马高徐郭周吴朱董宋韩冯曹许邓谭沈"
    "田姜崔齐范付何胡林罗郑梁谢唐程袁鲁白石金关孟吕苏蒋蔡贾丁魏薛叶余潘杜戴夏钟汪任"
)
GIVEN = {
    Gender.MALE: "伟军勇强磊涛斌超明刚辉鹏宇浩峰杰鑫波亮东海林志国建新永春成文博凯洪庆福德",
    Gender.FEMALE: "丽静敏燕艳娟霞芳娜婷雪琳颖莉红梅玲璐欣洁慧倩晶萍华秀英琪月佳岩爽",
}
MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 155 156 157 158 159 "
    "176 177 180 182 183 185 186 187 188 189 199"
).split()
POSITIONS = (
    "科员",
    "科员",
    "一级科员",
    "四级主任科员",
    "三级主任科员",
    "办事员",
    "干事",
    "副科长",
    "科长",
    "股长",
    "办公室主任",
    "副主任",
    "副局长",
)
PIONEER_POSTS = (
    "党员先锋岗",
    "卡点值守先锋岗",
    "入户排查先锋岗",
    "物资保障先锋岗",
    "宣传引导先锋岗",
    "关爱服务先锋岗",
)
RETURN_REASONS = (
    "经核实不在本社区居住，请到居住地社区报到。",
    "联系电话无法接通，请核实后重新报到。",
    "楼栋单元填写有误，请核实后重新报到。",
)
CHANNELS = (Channel.SELF_SERVICE, Channel.PHONE, Channel.SMS, Channel.WECHAT, Channel.IN_PERSON)
CHANNEL_WEIGHTS = (4, 3, 1, 3, 2)


# --- the plan: who registers where, made up deterministically ----------------------------------


@dataclass
class Layout:
    """A community's places, in the natural order of their names (not of their ids)."""

    community: Area
    buildings: list[Building]
    units: dict[int, list[Unit]]
    estates: dict[str, Estate]
    grids: dict[str, Grid]
    grid_of: dict[int, Grid]

    @classmethod
    def of(cls, community: Area) -> "Layout":
        buildings = sorted(
            Building.objects.filter(community=community).select_related("estate"),
            key=lambda b: (len(b.name), b.name),
        )
        units = defaultdict(list)
        for unit in Unit.objects.filter(building__community=community).order_by("number"):
            units[unit.building_id].append(unit)
        grids = {g.pk: g for g in Grid.objects.filter(community=community)}
        memberships = GridBuilding.objects.filter(community=community)
        return cls(
            community=community,
            buildings=buildings,
            units=dict(units),
            estates={e.name: e for e in Estate.objects.filter(community=community)},
            grids={g.name: g for g in grids.values()},
            grid_of={m.building_id: grids[m.grid_id] for m in memberships},
        )

    def homes(self, estate: str = "", grid: str = "") -> list[tuple[Building, Unit | None]]:
        buildings = [
            b
            for b in self.buildings
            if (not estate or (b.estate and b.estate.name == estate))
            and (not grid or (self.grid_of.get(b.pk) and self.grid_of[b.pk].name == grid))
        ] or self.buildings
        return [(b, u) for b in buildings for u in self.units.get(b.pk, [None])]


@dataclass
class Member:
    """One member's registration as the demo wants it."""

    name: str
    gender: str
    phone: str
    id_number: str | None
    work_unit: str
    position: str
    standing: str
    is_county_leader: bool
    building: Building | None
    unit: Unit | None
    room: str
    channel: str
    status: str
    return_reason: str = ""
    commitment_days_ago: int | None = None
    pioneer_post: str = ""
    chief: str = ""  # a PostKind of CHIEF_KINDS
    chief_of: Estate | Grid | Building | Unit | None = None
    duties: tuple[str, ...] = ()
    named: bool = False


@dataclass
class Planner:
    """Makes up members; phones and ID numbers stay unique over every community planned."""

    used_phones: set[str] = field(default_factory=set)
    used_ids: set[str] = field(default_factory=set)

    def phone(self, rng: random.Random) -> str:
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def id_number(self, rng: random.Random, region: str, gender: str) -> str:
        while True:
            born = date(1965, 1, 1) + timedelta(days=rng.randrange(32 * 365))
            sequence = rng.randrange(50) * 2 + (1 if gender == Gender.MALE else 0)
            first17 = f"{region}{born:%Y%m%d}{rng.randrange(10)}{sequence:02d}"
            number = first17 + id_number_check_character(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def community(self, layout: Layout, county: str) -> list[Member]:
        rng = random.Random(f"cadres-demo/{layout.community.name}")
        organs = WORK_UNITS[county][1]
        named = [n for n in NAMED if n.community == layout.community.name]
        count = MEMBERS_PER_COMMUNITY - len(named)
        pending = rng.randint(7, 11)
        returned = rng.choice((0, 1, 1, 2))
        statuses = [RegistrationStatus.RETURNED] * returned + [RegistrationStatus.PENDING] * pending
        statuses += [RegistrationStatus.CONFIRMED] * (count - len(statuses))
        rng.shuffle(statuses)
        # Nobody made up shares a name with someone of the source (the secretaries included).
        taken_names = {n.name for n in NAMED} | {"孙守超", "董诗琪", "王艳秋", "李玉平"}
        members = [self._named(rng, layout, county, n) for n in named]
        for status in statuses:
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            name = self._name(rng, gender, taken_names)
            members.append(self._member(rng, layout, county, name, gender, organs, status))
        self._chiefs(rng, layout, members)
        return members

    def _name(self, rng: random.Random, gender: str, taken: set[str]) -> str:
        while True:
            given = "".join(rng.choice(GIVEN[gender]) for _ in range(rng.choice((1, 2, 2, 2))))
            name = rng.choice(SURNAMES) + given
            if name not in taken:
                taken.add(name)
                return name

    def _home(self, rng: random.Random, layout: Layout, estate="", grid=""):
        homes = layout.homes(estate, grid)
        if not homes:
            return None, None, ""
        building, unit = rng.choice(homes)
        return building, unit, f"{rng.randint(1, 7)}0{rng.randint(1, 2)}"

    def _member(
        self,
        rng: random.Random,
        layout: Layout,
        county: str,
        name: str,
        gender: str,
        organs: tuple[str, ...],
        status: str,
    ) -> Member:
        building, unit, room = self._home(rng, layout)
        confirmed = status == RegistrationStatus.CONFIRMED
        is_county_leader = rng.random() < 0.01
        position, work_unit = rng.choice(POSITIONS), rng.choice(organs)
        if is_county_leader:
            position = "副县长" if county == "铁岭县" else "副市长"
            work_unit = WORK_UNITS[county][0]
        return Member(
            name=name,
            gender=gender,
            phone=self.phone(rng),
            id_number=self.id_number(rng, REGION_CODES[county], gender)
            if rng.random() < 0.35
            else None,
            work_unit=work_unit,
            position=position,
            standing=PartyStanding.PROBATIONARY if rng.random() < 0.1 else PartyStanding.FULL,
            is_county_leader=is_county_leader,
            building=building,
            unit=unit,
            room=room,
            channel=rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
            status=status,
            return_reason=rng.choice(RETURN_REASONS)
            if status == RegistrationStatus.RETURNED
            else "",
            commitment_days_ago=rng.randint(0, 5) if confirmed and rng.random() < 0.7 else None,
            pioneer_post=rng.choice(PIONEER_POSTS) if confirmed and rng.random() < 0.3 else "",
            duties=tuple(rng.sample(DUTY_KINDS, rng.choice((0, 0, 1, 1, 2)))) if confirmed else (),
        )

    def _named(self, rng: random.Random, layout: Layout, county: str, named: Named) -> Member:
        building, unit, room = self._home(rng, layout, named.estate, named.grid)
        return Member(
            name=named.name,
            gender=named.gender,
            phone=self.phone(rng),
            id_number=self.id_number(rng, REGION_CODES[county], named.gender),
            work_unit=named.work_unit,
            position=named.position,
            standing=PartyStanding.FULL,
            is_county_leader=False,
            building=building,
            unit=unit,
            room=room,
            channel=named.channel,
            status=RegistrationStatus.CONFIRMED,
            commitment_days_ago=3,
            pioneer_post=PIONEER_POSTS[0],
            duties=(PostKind.FIGHTER,),
            named=True,
        )

    def _chiefs(self, rng: random.Random, layout: Layout, members: list[Member]) -> None:
        """Zone, building and unit chiefs among the confirmed, leaving one building (and so
        its units) and many other places without anybody: the gaps."""
        name, zone, chief = ZONE_CHIEF
        zones_held = set()
        for member in members:
            if layout.community.name == name and member.name == chief and zone in layout.estates:
                member.chief, member.chief_of = PostKind.ZONE_CHIEF, layout.estates[zone]
                zones_held.add(zone)
        gap = rng.choice(layout.buildings) if layout.buildings else None
        places_held = set()
        confirmed = [m for m in members if m.status == RegistrationStatus.CONFIRMED and not m.chief]
        for member in confirmed:
            estate = member.building.estate if member.building else None
            grid = layout.grid_of.get(member.building.pk) if member.building else None
            if len(layout.estates) > 1 and estate and estate.name not in zones_held:
                if rng.random() < 0.3:
                    member.chief, member.chief_of = PostKind.ZONE_CHIEF, estate
                zones_held.add(estate.name)
            elif len(layout.grids) > 1 and grid and ("grid", grid.pk) not in places_held:
                if rng.random() < 0.3:
                    member.chief, member.chief_of = PostKind.ZONE_CHIEF, grid
                places_held.add(("grid", grid.pk))
            elif member.building is None or member.building == gap:
                continue
            elif member.unit and ("unit", member.unit.pk) not in places_held and rng.random() < 0.6:
                member.chief, member.chief_of = PostKind.UNIT_CHIEF, member.unit
                places_held.add(("unit", member.unit.pk))
            elif ("building", member.building.pk) not in places_held and rng.random() < 0.5:
                member.chief, member.chief_of = PostKind.BUILDING_CHIEF, member.building
                places_held.add(("building", member.building.pk))


# --- applying the plan through the services -----------------------------------------------------


def _community_actor(community: Area, admin: User) -> User:
    """The community's own secretary where the demo has one, else the administrator."""
    secretary = (
        User.objects.filter(role=Role.SECRETARY, area=community, is_active=True)
        .order_by("username")
        .first()
    )
    return secretary or admin


def _county_actor(county: Area, admin: User) -> User:
    staff = (
        User.objects.filter(role=Role.COUNTY_STAFF, area=county, is_active=True)
        .order_by("username")
        .first()
    )
    return staff or admin


def _work_units(county: Area, admin: User) -> dict[str, WorkUnit]:
    actor = _county_actor(county, admin)
    parent_name, organs = WORK_UNITS[county.name]
    units = {u.name: u for u in WorkUnit.objects.filter(county=county)}
    if parent_name not in units:
        units[parent_name] = services.work_unit_save(
            actor=actor, work_unit=WorkUnit(county=county, name=parent_name)
        )
    for name in organs:
        if name not in units:
            units[name] = services.work_unit_save(
                actor=actor,
                work_unit=WorkUnit(county=county, name=name, parent=units[parent_name]),
            )
    return units


@dataclass
class CommunityResult:
    community: Area
    actor: User
    layout: Layout
    members: list[Member]
    # The registration of each planned member at this community, by phone (new or found).
    registrations: dict[str, Registration]


def _register(
    community: Area, actor: User, members: list[Member], units: dict[str, WorkUnit]
) -> tuple[dict[str, Registration], list[Member]]:
    """Submits every member not registered here yet; returns all registrations and the new.

    A member whose phone or ID number someone else has taken since is left out."""
    phones = [m.phone for m in members]
    found = {
        r.cadre.phone: r
        for r in Registration.objects.filter(community=community, cadre__phone__in=phones)
        .select_related("cadre")
        .order_by("created_at")
    }
    holders = Cadre.objects.filter(
        Q(phone__in=phones) | Q(id_number__in=[m.id_number for m in members if m.id_number])
    ).values_list("name", "phone", "id_number")
    taken = {phone: name for name, phone, _ in holders} | {
        number: phone for _, phone, number in holders if number
    }
    today = timezone.localdate()
    new = []
    for member in members:
        if member.phone in found or taken.get(member.phone, member.name) != member.name:
            continue
        if member.id_number and taken.get(member.id_number, member.phone) != member.phone:
            continue
        found[member.phone] = services.registration_submit(
            actor=None if member.channel == Channel.SELF_SERVICE else actor,
            community=community,
            details=services.CadreDetails(
                name=member.name,
                phone=member.phone,
                work_unit=units[member.work_unit],
                gender=member.gender,
                id_number=member.id_number,
                position=member.position,
                party_standing=member.standing,
                is_county_leader=member.is_county_leader,
            ),
            building=member.building,
            unit=member.unit,
            room=member.room,
            channel=member.channel,
            commitment_signed_on=(
                today - timedelta(days=member.commitment_days_ago)
                if member.commitment_days_ago is not None
                else None
            ),
            pioneer_post=member.pioneer_post,
        )
        new.append(member)
    return found, new


def _decide_and_assign(result: CommunityResult, new: list[Member]) -> None:
    actor, registrations = result.actor, result.registrations
    confirmed = [m for m in new if m.status == RegistrationStatus.CONFIRMED]
    if confirmed:
        services.registration_confirm(
            actor=actor, registrations=[registrations[m.phone] for m in confirmed]
        )
    by_reason = defaultdict(list)
    for member in new:
        if member.status == RegistrationStatus.RETURNED:
            by_reason[member.return_reason].append(registrations[member.phone])
    for reason, returned in by_reason.items():
        services.registration_return(actor=actor, registrations=returned, reason=reason)
    held = _chief_places(result.community)
    for member in confirmed:
        registration = registrations[member.phone]
        place = {type(member.chief_of).__name__.lower(): member.chief_of} if member.chief else {}
        if place and (member.chief, *place, member.chief_of.pk) not in held:
            services.post_assign(actor=actor, registration=registration, kind=member.chief, **place)
        for duty in member.duties:
            services.post_assign(actor=actor, registration=registration, kind=duty)


def _chief_places(community: Area) -> set[tuple[str, str, int]]:
    """(kind, place, id) of every place of `community` with a chief: someone may have made one
    since the demo was last loaded, and the demo does not replace them."""
    held = set()
    posts = Post.objects.active().filter(community=community)
    for kind, estate, grid, building, unit in posts.values_list(
        "kind", "estate_id", "grid_id", "building_id", "unit_id"
    ):
        place = ("unit", unit) if unit else ("building", building) if building else None
        place = place or (("estate", estate) if estate else ("grid", grid))
        held.add((kind, *place))
    return held


def _seed_community(
    community: Area, county: Area, planner: Planner, admin: User, units: dict[str, WorkUnit]
) -> CommunityResult:
    layout = Layout.of(community)
    members = planner.community(layout, county.name)
    actor = _community_actor(community, admin)
    registrations, new = _register(community, actor, members, units)
    result = CommunityResult(community, actor, layout, members, registrations)
    _decide_and_assign(result, new)
    return result


def _move(results: dict[str, CommunityResult]) -> None:
    """The transfer with its history, and the transfer request waiting for the secretary."""
    for (origin, destination), request_only in ((TRANSFERRED, False), (TRANSFER_REQUEST, True)):
        if origin not in results or destination not in results:
            continue
        source, target = results[origin], results[destination]
        member = next(
            m
            for m in source.members
            # One with a duty role and no chief post: the move ends the role, history kept.
            if m.status == RegistrationStatus.CONFIRMED and m.duties and not (m.named or m.chief)
        )
        old = source.registrations.get(member.phone)
        homes = target.layout.homes()
        if old is None or not homes:
            continue
        old.refresh_from_db()
        cadre = old.cadre
        moved_already = cadre.registrations.filter(community=target.community).exists()
        if moved_already or old.status != RegistrationStatus.CONFIRMED:
            continue
        rng = random.Random(f"cadres-demo/move/{member.phone}")
        building, unit = rng.choice(homes)
        room = f"{rng.randint(1, 7)}0{rng.randint(1, 2)}"
        if request_only:
            services.registration_submit(
                actor=None,
                community=target.community,
                details=services.CadreDetails(
                    name=cadre.name, phone=cadre.phone, work_unit=cadre.work_unit
                ),
                building=building,
                unit=unit,
                room=room,
            )
            continue
        moved = services.registration_transfer(
            actor=source.actor,
            registration=old,
            community=target.community,
            building=building,
            unit=unit,
            room=room,
        )
        services.registration_confirm(actor=target.actor, registrations=[moved])
        services.post_assign(actor=target.actor, registration=moved, kind=PostKind.SERVER)


def _confirmed_cadres(community: Area, cadres: list[Cadre]) -> list[Cadre]:
    ids = set(
        Registration.objects.filter(
            community=community, status=RegistrationStatus.CONFIRMED, cadre__in=cadres
        ).values_list("cadre_id", flat=True)
    )
    return [c for c in cadres if c.pk in ids]


def _branch(
    actor: User,
    *,
    area: Area,
    name: str,
    members: list[Cadre],
    grid: Grid | None = None,
    kind: str = BranchKind.GRID,
    establish: bool = False,
) -> None:
    """Prepares a branch with its members and secretary (the first member), and establishes it
    when asked; nothing when a branch of that name was ever set up, or the grid has one open."""
    open_on_grid = Branch.objects.filter(grid=grid).exclude(status=BranchStatus.DISSOLVED)
    if Branch.objects.filter(area=area, name=name).exists() or (grid and open_on_grid.exists()):
        return
    branch = services.branch_save(
        actor=actor, branch=Branch(area=area, kind=kind, grid=grid, name=name)
    )
    if not members:
        return
    services.branch_add_members(actor=actor, branch=branch, cadres=members)
    branch.secretary = members[0]
    services.branch_save(actor=actor, branch=branch)
    full = [c for c in members if c.party_standing == PartyStanding.FULL]
    if establish and len(full) >= 3:
        services.branch_establish(actor=actor, branch=branch)


def _cadres_by_name(result: CommunityResult, names) -> list[Cadre]:
    by_name = {r.cadre.name: r.cadre for r in result.registrations.values()}
    return [by_name[name] for name in names if name in by_name]


def _living_in_grid(result: CommunityResult, grid: Grid | None, *, full: bool) -> list[str]:
    """Names of the made-up confirmed members who live in `grid` (full Party members only when
    `full`), in the order of the plan."""
    return [
        m.name
        for m in result.members
        if m.status == RegistrationStatus.CONFIRMED
        and not m.named
        and (m.standing == PartyStanding.FULL or not full)
        and m.building
        and result.layout.grid_of.get(m.building.pk) == grid
    ]


def _branches(results: dict[str, CommunityResult], counties: dict[str, Area], admin: User) -> None:
    for community, grid_name, name, founders, establish in GRID_BRANCHES:
        if community not in results:
            continue
        result = results[community]
        grid = result.layout.grids.get(grid_name)
        neighbours = _living_in_grid(result, grid, full=establish)[:2]
        members = _cadres_by_name(result, [*founders, *neighbours])
        _branch(
            result.actor,
            area=result.community,
            name=name,
            grid=grid,
            members=_confirmed_cadres(result.community, members),
            establish=establish,
        )
    county_name, unit_name, name = FRONT_LINE_BRANCH
    if county_name in counties:
        county = counties[county_name]
        members = list(
            Cadre.objects.filter(
                work_unit__county=county,
                work_unit__name=unit_name,
                party_standing=PartyStanding.FULL,
            ).order_by("name_initials", "phone")
        )
        # 赵莹 leads it; five colleagues with her.
        members.sort(key=lambda c: c.name != ZONE_CHIEF[2])
        members = members[:6]
        _branch(
            _county_actor(county, admin),
            area=county,
            name=name,
            kind=BranchKind.FRONT_LINE,
            members=members,
            establish=True,
        )


def _building_groups(results: dict[str, CommunityResult]) -> None:
    """A Party group for the building of each community's first building chief."""
    for name in BUILDING_GROUP_COMMUNITIES:
        if name not in results:
            continue
        result = results[name]
        chiefs = [m for m in result.members if m.chief == PostKind.BUILDING_CHIEF]
        for member in chiefs[:1]:
            building = member.chief_of
            leader = _confirmed_cadres(result.community, _cadres_by_name(result, [member.name]))
            if leader and not BuildingGroup.objects.filter(building=building).exists():
                services.building_group_save(
                    actor=result.actor, building=building, leader=leader[0]
                )


# Cadres on each unit's roster who have not registered anywhere yet: what a work unit checks.
UNREGISTERED_PER_UNIT = 3


def _unregistered(planner: Planner, county: Area, units: dict[str, WorkUnit], admin: User):
    actor = _county_actor(county, admin)
    parent_name = WORK_UNITS[county.name][0]
    taken: set[str] = set()  # names made up here; the same on every run
    for unit in units.values():
        if unit.name == parent_name:
            continue
        rng = random.Random(f"cadres-demo/roster/{unit.name}")
        for _ in range(UNREGISTERED_PER_UNIT):
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            name, phone = planner._name(rng, gender, taken), planner.phone(rng)
            if not Cadre.objects.filter(phone=phone).exists():
                cadre = Cadre(
                    name=name, gender=gender, phone=phone, work_unit=unit, position="科员"
                )
                services.cadre_save(actor=actor, cadre=cadre)


def seed(run: DemoRun) -> None:
    """The cadres demo step of `seed_demo`."""
    admin = run.admin
    planner = Planner()
    results: dict[str, CommunityResult] = {}
    found = {c.name: c for c in Area.objects.filter(level=AreaLevel.COUNTY, name__in=WORK_UNITS)}
    counties = {name: found[name] for name in WORK_UNITS if name in found}
    work_units: dict[str, dict[str, WorkUnit]] = {}
    for county in counties.values():
        work_units[county.name] = units = _work_units(county, admin)
        for community in Area.objects.under(county).communities().order_by("name"):
            results[community.name] = _seed_community(community, county, planner, admin, units)
    _move(results)
    for county in counties.values():
        _unregistered(planner, county, work_units[county.name], admin)
    _branches(results, counties, admin)
    _building_groups(results)
    username, county_name, unit_name, full_name = UNIT_ACCOUNT
    if county_name in work_units:
        user = run.account(username, Role.UNIT_STAFF, None, full_name, where=unit_name)
        # Binding an account to its unit is no service's business: the admin does it too.
        work_units[county_name][unit_name].contacts.add(user)
    pending = Registration.objects.filter(status=RegistrationStatus.PENDING).count()
    run.stdout.write(
        f"Cadres: {Cadre.objects.count()} members of {WorkUnit.objects.count()} work units "
        f"in {len(results)} communities, {pending} registrations pending."
    )
