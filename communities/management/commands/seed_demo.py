"""Builds the example of DOMAIN.md: 铁岭县 and its named communities, with demo accounts, then
runs the demo steps other apps registered (`communities.demo`)."""

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from communities import demo, services
from communities.choices import AreaLevel, EstateKind, Role
from communities.models import Area, Building, Estate, Grid, Unit


@dataclass
class EstatePlan:
    name: str
    buildings: int
    units_per_building: int
    kind: str = EstateKind.ESTATE


@dataclass
class CommunityPlan:
    name: str
    estates: list[EstatePlan]
    # When set, households are spread over the units so the community totals exactly this.
    households: int | None = None
    buildings_per_grid: int = 5
    extra: dict = field(default_factory=dict)


TIELING_COUNTY = {
    "凡河新区": [
        CommunityPlan("浅水湾社区", [EstatePlan("浅水湾小区", 8, 3)]),
        CommunityPlan(
            "官台新苑社区",
            [
                EstatePlan(name, 3, 2, EstateKind.ZONE)
                for name in "一区 二区 三区 四区 五区 六区 七区 八区 九区 十区".split()
            ],
            buildings_per_grid=6,
        ),
        CommunityPlan("新弘国际社区", [EstatePlan("新弘国际小区", 10, 2)]),
        CommunityPlan("紫御华庭社区", [EstatePlan("紫御华庭小区", 9, 3)]),
    ],
    "莲花湖街道": [
        CommunityPlan(
            "水木华园社区",
            [
                EstatePlan("一生活区", 20, 4, EstateKind.LIVING_AREA),
                EstatePlan("二生活区", 16, 4, EstateKind.LIVING_AREA),
            ],
            households=5744,
            buildings_per_grid=6,
        ),
        CommunityPlan("天嘉苑社区", [EstatePlan("天嘉苑小区", 12, 3)]),
    ],
    "大甸子镇": [CommunityPlan("大甸子村", [EstatePlan("大甸子屯", 6, 1)])],
    "李千户镇": [CommunityPlan("李千户村", [EstatePlan("李千户屯", 6, 1)])],
    "横道镇": [CommunityPlan("横道河子村", [EstatePlan("横道河子屯", 6, 1)])],
}

BEIPIAO_CITY = {
    "台吉街道": [
        CommunityPlan("二工村社区", [EstatePlan("二工村小区", 10, 3)], households=2299),
    ],
}

ACCOUNTS = [
    # username, role, area name, full name
    ("county", Role.COUNTY_STAFF, "铁岭县", "张敏"),
    ("township", Role.TOWNSHIP_STAFF, "莲花湖街道", "刘洋"),
    ("secretary", Role.SECRETARY, "水木华园社区", "孙守超"),
    ("secretary2", Role.SECRETARY, "天嘉苑社区", "董诗琪"),
    ("team", Role.TEAM_MEMBER, "大甸子镇", "王喆"),
]


def spread(total: int, parts: int) -> list[int]:
    """`total` split over `parts` as evenly as whole numbers allow."""
    base, remainder = divmod(total, parts)
    return [base + (1 if i < remainder else 0) for i in range(parts)]


class Command(BaseCommand):
    help = "Creates or refreshes the demo data of DOMAIN.md and its demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Password of every demo account (default: a random one, printed)."
        )

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        run = demo.DemoRun(stdout=self.stdout, password=password or secrets.token_urlsafe(9))
        self.admin = run.admin = run.account("admin", Role.ADMIN, None, "系统管理员", staff=True)
        liaoning = self.area("辽宁省", AreaLevel.PROVINCE, None)
        tieling_city = self.area("铁岭市", AreaLevel.CITY, liaoning)
        self.county(self.area("铁岭县", AreaLevel.COUNTY, tieling_city), TIELING_COUNTY)
        chaoyang = self.area("朝阳市", AreaLevel.CITY, liaoning)
        self.county(self.area("北票市", AreaLevel.COUNTY, chaoyang), BEIPIAO_CITY)
        for username, role, area_name, full_name in ACCOUNTS:
            run.account(username, role, Area.objects.get(name=area_name), full_name)
        with translation.override(settings.LANGUAGE_CODE):
            for step in demo.steps():
                step(run)
            self.report(run)

    def county(self, county: Area, townships: dict[str, list[CommunityPlan]]) -> None:
        for township_name, plans in townships.items():
            township = self.area(township_name, AreaLevel.TOWNSHIP, county)
            for plan in plans:
                self.community(self.area(plan.name, AreaLevel.COMMUNITY, township), plan)

    def area(self, name: str, level: str, parent: Area | None) -> Area:
        area = Area.objects.filter(name=name, parent=parent).first() or Area(
            name=name, parent=parent
        )
        area.level = level
        return services.area_save(actor=self.admin, area=area)

    def place(self, model, lookup: dict, **values):
        place = model.objects.filter(**lookup).first() or model(**lookup)
        for name, value in values.items():
            setattr(place, name, value)
        return services.place_save(actor=self.admin, place=place)

    def community(self, community: Area, plan: CommunityPlan) -> None:
        unit_total = sum(e.buildings * e.units_per_building for e in plan.estates)
        households = iter(
            spread(plan.households, unit_total)
            if plan.households
            else [18 + (i * 7) % 15 for i in range(unit_total)]
        )
        buildings = []
        number = 0
        for estate_plan in plan.estates:
            estate = self.place(
                Estate, {"community": community, "name": estate_plan.name}, kind=estate_plan.kind
            )
            for _ in range(estate_plan.buildings):
                number += 1
                building = self.place(
                    Building, {"community": community, "name": f"{number}号楼"}, estate=estate
                )
                buildings.append(building)
                for unit_number in range(1, estate_plan.units_per_building + 1):
                    self.place(
                        Unit,
                        {"building": building, "number": unit_number},
                        households=next(households),
                    )
        size = plan.buildings_per_grid
        for index in range(0, len(buildings), size):
            grid = self.place(Grid, {"community": community, "name": f"第{index // size + 1}网格"})
            services.grid_set_buildings(
                actor=self.admin, grid=grid, buildings=buildings[index : index + size]
            )

    def report(self, run: demo.DemoRun) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready: 铁岭县 and 北票市."))
        self.stdout.write(f"Accounts (password: {run.password}):")
        for account in run.accounts:
            label = Role(account.role).label
            self.stdout.write(f"  {account.username:<11} {label} {account.where}")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in.")
