"""The permission matrix: every route of the URL configuration × every role × an object in the
role's county and one in another county.

The routes are read from the URLconf when the tests are collected (pages, exports, the API
router's list, detail and action routes, the admin of every registered model, login, i18n, the
public pages), so a new route is in the matrix the moment it is added. The model a route serves
is read from the view (a model admin's model, a viewset's queryset, a detail view's queryset);
`SERVES` names it for views that do not say. A route the matrix cannot classify fails with a
message saying what to add: scoping in the view, then an entry here.

For each route, role and object, every method the route answers is sent with an empty body
(CSRF checks off, as the test client does): anonymous callers are sent to the login page (401
from the API) unless the route is declared public; nothing answers 5xx; an object of the other
county is answered exactly as an object that does not exist (a 404, or the refusal the role
meets anyway) and no row changes; and no response to an account of county A — pages, JSON,
Excel files — contains a name of county B (they all start with `MARK`).
"""

import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.generic.detail import SingleObjectMixin
from rest_framework.authtoken.models import Token, TokenProxy

from appraisal import services as appraisal_services
from appraisal.models import Appraisal, Commendation, Period, Quota
from audit.models import AuditEntry
from cadres import services as cadre_services
from cadres.models import Branch, BuildingGroup, Cadre, Post, Registration, WorkUnit
from cadres.views.base import ExportMixin
from cadres.views.self_service import community_token
from communities.admin import ServiceAdmin
from communities.choices import AreaLevel, Role
from communities.models import Area, Building, Estate, Grid, Unit, User
from supervision import services as supervision_services
from supervision.choices import FocusArea, ProblemStatus
from supervision.models import DailyReport, Measure, Problem, ProblemEvidence, ProblemStep, Team
from supplies import services as supplies_services
from supplies.models import Balance, Item, LedgerEntry, Party, StockMovement
from tests.factories import (
    AreaFactory,
    BranchFactory,
    BuildingFactory,
    CadreFactory,
    EstateFactory,
    GridFactory,
    ItemFactory,
    MeasureFactory,
    OutsidePartyFactory,
    PostFactory,
    RegistrationFactory,
    TeamFactory,
    UnitFactory,
    UserFactory,
    WorkUnitFactory,
)

# Every name of county B starts with this; no response to an account of county A may hold it.
MARK = "乙县标记"

# The matrix may grow, never silently shrink: the URLconf holds more routes than this.
MIN_ROUTES = 250

# --- the routes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern as the resolver holds it."""

    pattern: str
    name: str  # namespaced ("cadres:workbench"), or "" for an unnamed pattern
    callback: Callable
    kwargs: tuple[str, ...]

    @property
    def key(self) -> str:
        """The route's key in the tables below: its name, or its pattern when it has none."""
        return self.name or self.pattern

    @property
    def area(self) -> str:
        if self.pattern.startswith("admin/"):
            return "admin"
        if self.pattern.startswith("api/"):
            return "api"
        return "page"

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)

    @property
    def viewset(self):
        """The DRF viewset of a router's route (its `actions` map methods to actions)."""
        return getattr(self.callback, "cls", None) if hasattr(self.callback, "actions") else None

    @property
    def model_admin(self):
        return getattr(self.callback, "model_admin", None)

    def __str__(self) -> str:
        return self.key


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            kwargs = tuple(re.compile(entry.pattern.regex.pattern).groupindex)
            yield Route(pattern, name, entry.callback, kwargs)


def all_routes() -> list[Route]:
    """Every route of the URLconf. The API router repeats each route with a `.json`-style format
    suffix on the same view: those are left out when the route itself is in the list."""
    routes = list(walk(get_resolver()))
    plain = {(r.name, r.callback) for r in routes if "format" not in r.kwargs}
    return [r for r in routes if "format" not in r.kwargs or (r.name, r.callback) not in plain]


# Routes anyone may open without logging in.
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "admin:login",
    "api:api-token",
    # The self-service registration a member reaches by the community's QR code (signed address).
    "cadres:register",
    "cadres:register-done",
    # The public notice (公示) of what an area received and where it went.
    "supplies:notice",
}

# The model whose row the route's object kwarg selects, for views that do not name it
# themselves (no `model`/`queryset`, or a list of another model under a parent's pk).
SERVES = {
    "cadres:post-end": Post,
    "cadres:work-unit-detail": WorkUnit,
    "cadres:branch-action": Branch,
    "cadres:building-group": Building,
    "cadres:register": Area,
    "cadres:register-done": Area,
    "supervision:evidence": ProblemEvidence,
    "supervision:community-measures": Area,
    "supplies:notice": Area,
    "appraisal:appraisal-detail": Appraisal,
    "appraisal:period-detail": Period,
    "appraisal:appraisals": Period,
    "appraisal:quota-set": Period,
    "appraisal:period-sync": Period,
    "appraisal:period-close": Period,
    "appraisal:workbook": Period,
    "appraisal:workbook-upload": Period,
    "admin:auth_user_password_change": User,
    "admin:view_on_site": Area,
}

# The kwargs that select the object; any other kwarg needs a value below.
OBJECT_KWARGS = {"pk", "object_id", "area_pk", "id", "token"}

# Values of kwargs that are not an object (one value each: the scoping does not depend on them).
FIXED_KWARGS = {
    "supplies:record": {"kind": "donation"},
    "cadres:branch-action": {"action": "establish"},
    "admin:app_list": {"app_label": "cadres"},
    "admin/(?P<url>.*)$": {"url": "no-such-page/"},
}

# How an object's primary key becomes the route's kwargs, where it is not the kwarg itself.
KWARG_VALUES: dict[str, Callable[[int], dict]] = {
    "cadres:register": lambda pk: {"token": community_token(Area(pk=pk))},
    "cadres:register-done": lambda pk: {"token": community_token(Area(pk=pk))},
    "admin:view_on_site": lambda pk: {
        "content_type_id": ContentType.objects.get_for_model(Area).pk,
        "object_id": pk,
    },
    # An audit event's key is "<app.model>:<event id>".
    "audit:event-detail": lambda pk: {
        "model": str(pk).rpartition(":")[0] or "cadres.registration",
        "event_id": int(str(pk).rpartition(":")[2]),
    },
}

# Rows every county shares (catalogues; the login lockout's records, for administrators only):
# a row of them is the same for everyone.
SHARED_MODELS = {Item, Measure, Group, AccessAttempt, AccessLog, AccessFailureLog}

# Content types of the apps whose rows the matrix watches for writes.
WATCHED_APPS = {"communities", "cadres", "supervision", "supplies", "appraisal", "authtoken"}


def admin_object_route(route: Route) -> bool:
    """The admin's `<object_id>/` pattern that redirects to the change page (it has no name)."""
    return route.model_admin is not None and not route.name and "object_id" in route.kwargs


def served_model(route: Route) -> type[models.Model] | None:
    """The model whose row the route's object kwarg selects: from the view where it says, from
    `SERVES` otherwise; None when it cannot be told."""
    if route.key in SERVES:
        return SERVES[route.key]
    if route.model_admin is not None:
        return route.model_admin.model
    if route.viewset is not None and getattr(route.viewset, "queryset", None) is not None:
        return route.viewset.queryset.model
    view_class = route.view_class
    if view_class is None:
        return None
    if getattr(view_class, "model", None) is not None:
        return view_class.model
    if getattr(view_class, "queryset", None) is not None:
        return view_class.queryset.model
    if issubclass(view_class, SingleObjectMixin):
        # A detail view's get_queryset() names its model; the queryset is never evaluated.
        request = RequestFactory().get("/")
        request.user = User(is_superuser=True)
        view = view_class()
        view.setup(request, pk=0)
        return view.get_queryset().model
    return None


@dataclass
class Spec:
    """What the matrix does with a route."""

    route: Route
    public: bool
    model: type[models.Model] | None  # None: a route without an object
    fixed: dict = field(default_factory=dict)
    problem: str = ""  # why the route cannot be classified

    def url(self, obj: models.Model | None, pk=None) -> str:
        kwargs = dict(self.fixed)
        if self.model is not None:
            pk = obj.pk if pk is None else pk
            if self.route.key in KWARG_VALUES:
                kwargs.update(KWARG_VALUES[self.route.key](pk))
            else:
                (name,) = [k for k in self.route.kwargs if k in OBJECT_KWARGS]
                kwargs[name] = pk
        if admin_object_route(self.route):
            opts = self.model._meta
            change = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[kwargs["object_id"]]
            )
            return change.removesuffix("change/")
        if not self.route.name:
            return "/" + self.route.pattern.replace("(?P<url>.*)$", kwargs["url"])
        return reverse(self.route.name, kwargs=kwargs)

    def methods(self) -> list[str]:
        """Every method the route answers besides GET (sent with an empty body)."""
        route = self.route
        if route.viewset is not None:
            # HEAD is GET without a body; PUT runs the handler PATCH runs (`update`).
            return sorted(set(route.callback.actions) - {"head", "put"})
        if route.model_admin is not None:
            return (
                ["get", "post"] if route.name.endswith(("_change", "_delete", "_add")) else ["get"]
            )
        view_class = route.view_class
        if view_class is not None:
            allowed = [m for m in ("get", "post") if m in view_class.http_method_names]
            return [m for m in allowed if m == "get" or hasattr(view_class, m)]
        return ["get", "post"]


def classify(route: Route) -> Spec:
    public = route.key in PUBLIC
    fixed = FIXED_KWARGS.get(route.key, {})
    known = OBJECT_KWARGS | fixed.keys()
    if route.key in KWARG_VALUES:
        known |= set(route.kwargs)
    unknown = [k for k in route.kwargs if k not in known]
    if unknown:
        return Spec(route, public, None, fixed, f"kwargs {unknown} have no value in FIXED_KWARGS")
    if route.key not in KWARG_VALUES and not any(k in OBJECT_KWARGS for k in route.kwargs):
        return Spec(route, public, None, fixed)
    model = served_model(route)
    if model is None:
        return Spec(route, public, None, fixed, "the model its object kwarg selects is unknown")
    return Spec(route, public, model, fixed)


SPECS = [classify(route) for route in all_routes()]


def test_matrix_covers_the_whole_urlconf():
    """The matrix is built from the URLconf; it cannot shrink to nothing unnoticed."""
    names = {spec.route.key for spec in SPECS}
    print(f"permission matrix: {len(SPECS)} routes")
    assert len(SPECS) >= MIN_ROUTES
    # Each kind of route is in it: pages, exports, the API router's routes, every model's admin.
    for expected in (
        "communities:home",
        "cadres:workbench",
        "api:registration-list",
        "api:registration-detail",
        "api:registration-confirm",
        "api:cadre-id-number",
        "schema",
        "api-docs",
        "login",
        "set_language",
        "cadres:register",
        "supplies:notice",
    ):
        assert expected in names
    for model in admin_site._registry:
        opts = model._meta
        for view in ("changelist", "add", "change", "delete", "history"):
            assert f"admin:{opts.app_label}_{opts.model_name}_{view}" in names


# --- the world: county A (the accounts' own) and county B (nobody's) ----------------------------

TEXTS = {area.value: "" for area in FocusArea}


@dataclass
class County:
    county: Area
    township: Area
    community: Area
    objects: dict = field(default_factory=dict)  # model → one row of this county
    users: dict = field(default_factory=dict)


def build_county(label: str, admin: User, item: Item) -> County:
    """A county with a row of every kind: places, cadres, registrations, posts, branches, a team
    with its account, a daily report, a problem with evidence, a period with an appraisal, a
    quota and a commendation, a donation in the ledger with its balance and stock card."""
    province = AreaFactory(name=f"{label}省", level=AreaLevel.PROVINCE)
    city = AreaFactory(name=f"{label}市", level=AreaLevel.CITY, parent=province)
    county = AreaFactory(name=f"{label}县", level=AreaLevel.COUNTY, parent=city)
    township = AreaFactory(name=f"{label}镇", level=AreaLevel.TOWNSHIP, parent=county)
    community = AreaFactory(name=f"{label}社区", level=AreaLevel.COMMUNITY, parent=township)
    estate = EstateFactory(community=community, name=f"{label}小区")
    building = BuildingFactory(estate=estate, name=f"{label}楼")
    unit = UnitFactory(building=building, number=1)
    grid = GridFactory(community=community, name=f"{label}网格")
    grid.memberships.create(building=building, community=community)
    work_unit = WorkUnitFactory(county=county, name=f"{label}单位")
    cadre = CadreFactory(name=f"{label}干部", work_unit=work_unit)
    registration = RegistrationFactory(
        cadre=cadre, community=community, building=building, unit=unit, status="confirmed"
    )
    pending = RegistrationFactory(
        cadre=CadreFactory(name=f"{label}待确认", work_unit=work_unit), community=community
    )
    post = PostFactory(registration=registration)
    branch = BranchFactory(area=community, name=f"{label}支部")
    secretary = UserFactory(role=Role.SECRETARY, area=community, last_name=f"{label}书记")
    group = cadre_services.building_group_save(actor=secretary, building=building, leader=cadre)

    team_account = UserFactory(role=Role.TEAM_MEMBER, area=township, last_name=f"{label}队员")
    team = TeamFactory(county=county, name=f"{label}小分队")
    team.coverage.create(area=township)
    team.accounts.add(team_account)
    today = timezone.localdate()
    report = DailyReport.objects.create(
        team=team, date=today, **{**TEXTS, "screening": f"{label}排查"}
    )
    report.communities.add(community)
    problem = supervision_services.problem_create(
        actor=team_account,
        team=team,
        report=report,
        data=supervision_services.ProblemInput(
            community=community,
            focus_area=FocusArea.SCREENING,
            description=f"{label}问题",
            deadline=today + timedelta(days=3),
        ),
    )
    problem = supervision_services.problem_advance(
        actor=team_account,
        problem=problem,
        to_status=ProblemStatus.RECTIFYING,
        note=f"{label}整改",
        files=[SimpleUploadedFile(f"{label}.jpg", b"x" * 100, content_type="image/jpeg")],
    )
    step = problem.steps.latest("id")

    period = appraisal_services.period_save(
        actor=admin,
        period=Period(
            county=county,
            name=f"{label}考核",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30),
        ),
    )
    quota = appraisal_services.quota_set(
        actor=admin, period=period, work_unit=work_unit, excellent=1
    )
    commendation = appraisal_services.commendation_add(
        actor=admin,
        cadre=cadre,
        kind="citation",
        awarded_on=today,
        reason=f"{label}嘉奖",
        approver=f"{label}组织部",
        period=period,
    )

    donor = OutsidePartyFactory(county=county, name=f"{label}企业")
    entry = supplies_services.entry_record(
        actor=admin,
        kind="donation",
        line=supplies_services.EntryLine(item=item, quantity=Decimal(10)),
        entry_date=today,
        from_party=donor,
        to_party=Party.objects.get(area=community),
        note=f"{label}备注",
        batch=uuid.uuid4(),
    )
    objects = {
        Area: community,
        Estate: estate,
        Building: building,
        Unit: unit,
        Grid: grid,
        User: secretary,
        WorkUnit: work_unit,
        Cadre: cadre,
        Registration: registration,
        Post: post,
        Branch: branch,
        BuildingGroup: group,
        Team: team,
        DailyReport: report,
        Problem: problem,
        ProblemStep: step,
        ProblemEvidence: step.evidence.get(),
        Period: period,
        Appraisal: period.appraisals.get(cadre=cadre),
        Quota: quota,
        Commendation: commendation,
        Party: donor,
        LedgerEntry: entry,
        Balance: Balance.objects.get(holder=entry.to_party, item=item),
        StockMovement: StockMovement.objects.filter(entry=entry).first(),
        TokenProxy: TokenProxy.objects.get(user=Token.objects.create(user=secretary).user),
        AuditEntry: AuditEntry.objects.get(
            model="cadres.registration", object_id=str(registration.pk), action="insert"
        ),
    }
    assert pending.pk
    return County(
        county=county,
        township=township,
        community=community,
        objects=objects,
        users={"secretary": secretary, "team_member": team_account, "work_unit": work_unit},
    )


@dataclass
class World:
    a: County
    b: County
    shared: dict  # model → a row every county shares
    roles: dict  # role name → user (None: anonymous)
    tokens: dict  # role name → API token key
    sessions: dict  # role name → session key of a logged-in browser

    def sees_everything(self, role: str) -> bool:
        user = self.roles[role]
        return user is not None and user.sees_everything


def build_world() -> World:
    admin = UserFactory(
        username="matrix-root", role=Role.ADMIN, area=None, is_staff=True, is_superuser=True
    )
    measure = MeasureFactory(title="测温登记")
    item = ItemFactory(name="口罩")
    a = build_county("甲县", admin, item)
    b = build_county(MARK, admin, item)
    attempt = {"user_agent": "matrix", "ip_address": "192.0.2.1", "username": "nobody"}
    attempt.update(http_accept="*/*", path_info="/accounts/login/")
    shared = {
        Item: item,
        Measure: measure,
        Group: Group.objects.create(name="matrix group"),
        AccessAttempt: AccessAttempt.objects.create(
            **attempt, get_data="", post_data="", failures_since_start=1
        ),
        AccessLog: AccessLog.objects.create(**attempt),
        AccessFailureLog: AccessFailureLog.objects.create(**attempt),
    }

    unit_staff = UserFactory(role=Role.UNIT_STAFF, area=None)
    a.users["work_unit"].contacts.add(unit_staff)
    # A county staff account let into the admin site with every permission on our apps' rows:
    # the admin must scope them as the pages do.
    admin_site_staff = UserFactory(role=Role.COUNTY_STAFF, area=a.county, is_staff=True)
    admin_site_staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=WATCHED_APPS - {"authtoken"}).exclude(
            content_type__model="user"
        )
    )
    roles = {
        "anonymous": None,
        Role.COUNTY_STAFF.value: UserFactory(role=Role.COUNTY_STAFF, area=a.county),
        Role.TOWNSHIP_STAFF.value: UserFactory(role=Role.TOWNSHIP_STAFF, area=a.township),
        Role.SECRETARY.value: a.users["secretary"],
        Role.TEAM_MEMBER.value: a.users["team_member"],
        Role.UNIT_STAFF.value: unit_staff,
        Role.ADMIN.value: UserFactory(role=Role.ADMIN, area=None),
        "superuser": admin,
        "county_staff_in_admin_site": admin_site_staff,
    }
    tokens, sessions = {}, {}
    for name, user in roles.items():
        if user is not None:
            tokens[name] = Token.objects.get_or_create(user=user)[0].key
            browser = Client()
            browser.force_login(user)
            sessions[name] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return World(a=a, b=b, shared=shared, roles=roles, tokens=tokens, sessions=sessions)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction that is rolled back at its end; each request
    runs in a savepoint inside it that is rolled back too. (Not the `db` fixture: its teardown
    closes the connection, and this transaction with it.)"""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- requests and what their answers may hold -----------------------------------------------------


WATCHED_TABLES = sorted(
    {
        model._meta.db_table
        for label in WATCHED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not model._meta.proxy
    }
)


def writes_so_far() -> int:
    """Rows inserted, updated or deleted in the watched apps' tables by this transaction so far,
    attempts rolled back to a savepoint included (PostgreSQL's per-transaction counters)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)",
            [WATCHED_TABLES],
        )
        return int(cursor.fetchone()[0])


def row_of(obj: models.Model | None) -> list:
    if obj is None:
        return []
    return list(type(obj)._base_manager.filter(pk=obj.pk).values())


def body_text(response) -> str:
    """The response as text: an Excel file's cells, or the body."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join([*book.sheetnames, *cells])
    return content.decode("utf-8", errors="replace")


@dataclass
class Answer:
    status: int
    location: str
    text: str
    written: int  # rows written by the request (watched apps)
    row_changed: bool  # the target row differs after the request

    def __str__(self) -> str:
        return f"{self.status} {self.location}".strip()


def send(world: World, role: str, spec: Spec, method: str, url: str, obj, watch=False) -> Answer:
    """Sends one request in a savepoint that is always rolled back; with `watch`, counts the
    rows it wrote and compares `obj`'s row before and after."""
    client = Client()
    headers = {}
    if world.roles[role] is not None:
        if spec.route.area == "api":
            headers["Authorization"] = f"Token {world.tokens[role]}"
        else:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    before_row = row_of(obj) if watch else []
    with transaction.atomic():
        before = writes_so_far() if watch else 0
        call = getattr(client, method)
        if method in ("get", "delete"):
            response = call(url, headers=headers)
        elif spec.route.area == "api":
            response = call(url, data=b"", content_type="application/json", headers=headers)
        else:
            response = call(url, data={}, headers=headers)
        written = writes_so_far() - before if watch else 0
        after_row = row_of(obj) if watch else []
        text = body_text(response)
        transaction.set_rollback(True)
    return Answer(
        status=response.status_code,
        location=response.get("Location", ""),
        text=text,
        written=written,
        row_changed=before_row != after_row,
    )


def sent_to_login(spec: Spec, answer: "Answer") -> bool:
    """Redirected to the login page (the admin's own, for the admin, is as good)."""
    pages = [reverse(settings.LOGIN_URL)]
    if spec.route.area == "admin":
        pages.append(reverse("admin:login"))
    return answer.status == 302 and answer.location.startswith(tuple(pages))


MISSING_PK = 2_000_000_000


@dataclass(frozen=True)
class Probe:
    """One request of the matrix: who, on which object, how."""

    role: str
    scope: str  # "in" (county A), "out" (county B), "shared" (a catalogue), "none" (no object)
    method: str
    url: str
    query: str = ""  # "?export=xlsx" for a list's Excel export

    def __str__(self) -> str:
        return f"{self.role} {self.method.upper()} {self.url}{self.query} ({self.scope} of scope)"


def check_route(world: World, spec: Spec) -> list[str]:
    """Every role against the route; the list of what went wrong."""
    failures = []
    exports = spec.route.view_class is not None and issubclass(spec.route.view_class, ExportMixin)
    queries = ["", "?export=xlsx"] if exports else [""]
    for role in world.roles:
        if spec.model is None:
            targets = [("none", None)]
        elif spec.model in SHARED_MODELS:
            targets = [("shared", world.shared[spec.model])]
        elif role == "anonymous":
            targets = [("in", world.a.objects[spec.model])]
        else:
            targets = [("in", world.a.objects[spec.model]), ("out", world.b.objects[spec.model])]
        methods = spec.methods()
        if spec.route.area == "admin" and (user := world.roles[role]) and not user.is_staff:
            methods = ["get"]  # the admin site's door refuses them before any object or form
        in_scope = {}  # (method, query) → the answer for the object in scope
        for scope, obj in targets:
            url = spec.url(obj)
            for method in methods:
                for query in queries if method == "get" else [""]:
                    probe = Probe(role, scope, method, url, query)
                    watch = scope == "out" and method != "get"
                    answer = send(world, role, spec, method, url + query, obj, watch)
                    if scope == "in":
                        in_scope[method, query] = answer
                    failures += judge(world, spec, probe, answer, in_scope.get((method, query)))
    return failures


# A refusal that depends on the role, not on the object.
REFUSALS = {401, 403, 405}


def where_to(answer: "Answer", pk=None) -> str:
    """The redirect's path, the object's pk put as MISSING_PK (for comparing two answers)."""
    path = answer.location.partition("?")[0]
    return path.replace(f"/{pk}/", f"/{MISSING_PK}/") if pk is not None else path


def refused_alike(answer: "Answer", in_scope: "Answer | None") -> bool:
    """The role is refused whatever the object: the same refusal as for the object in scope."""
    if in_scope is None or answer.status != in_scope.status:
        return False
    if answer.status in REFUSALS:
        return True
    return (
        answer.status == 302
        and where_to(answer) == where_to(in_scope)
        and "login" in where_to(answer)
    )


def judge(world: World, spec: Spec, probe: Probe, answer: "Answer", in_scope) -> list[str]:
    failures = []
    if answer.status >= 500:
        return [f"{probe}: answered {answer.status}"]
    if probe.role == "anonymous" and not spec.public:
        if spec.route.area == "api":
            if answer.status != 401:
                failures.append(f"{probe}: anonymous got {answer}, not 401")
        elif not sent_to_login(spec, answer):
            failures.append(f"{probe}: anonymous got {answer}, not the login page")
    # A public page shows any county's object to anyone: only the rest is scoped.
    out = probe.scope == "out" and not world.sees_everything(probe.role) and not spec.public
    if out:
        failures += judge_out_of_scope(world, spec, probe, answer, in_scope)
    shows_b = spec.public and probe.scope == "out"
    if probe.role != "anonymous" and not world.sees_everything(probe.role) and not shows_b:
        if MARK in answer.text:
            found = " ".join(answer.text[max(answer.text.find(MARK) - 80, 0) :][:160].split())
            failures.append(f"{probe}: shows county B's data: …{found}…")
    return failures


def judge_out_of_scope(world, spec, probe: Probe, answer: "Answer", in_scope) -> list[str]:
    """Another county's object is answered as one that does not exist, and nothing is written."""
    failures = []
    if 200 <= answer.status < 300:
        failures.append(f"{probe}: answered {answer} for another county's object")
    elif answer.status != 404 and not refused_alike(answer, in_scope):
        # Allowed only if an object that does not exist gets the same answer: then the answer
        # does not depend on the object and reveals nothing.
        missing = Probe(probe.role, "none", probe.method, spec.url(None, pk=MISSING_PK))
        expected = send(world, probe.role, spec, probe.method, missing.url + probe.query, None)
        pk = world.b.objects[spec.model].pk
        if (expected.status, where_to(expected)) != (answer.status, where_to(answer, pk)):
            failures.append(
                f"{probe}: answered {answer} for another county's object but {expected} for "
                "one that does not exist"
            )
    if answer.written or answer.row_changed:
        failures.append(f"{probe}: another county's object, yet rows were written")
    return failures


@pytest.mark.parametrize("spec", SPECS, ids=[str(spec.route) for spec in SPECS])
def test_route(spec: Spec, world, db):
    assert not spec.problem, (
        f"The permission matrix cannot classify {spec.route.pattern!r} ({spec.route.key}): "
        f"{spec.problem}. Start the view from `visible_to(user)` (out of scope is a 404), then "
        "tell tests/security/test_permission_matrix.py what the route serves (SERVES, "
        "FIXED_KWARGS, KWARG_VALUES, or PUBLIC if anyone may open it)."
    )
    failures = check_route(world, spec)
    assert not failures, "\n".join(failures)


# --- the matrix itself can fail ---------------------------------------------------------------


def spec_of(key: str) -> Spec:
    (spec,) = [spec for spec in SPECS if spec.route.key == key]
    return spec


# Routes whose object in county A the role opens: the world is wired as the matrix assumes.
OPENS = [
    ("communities:area-detail", Role.SECRETARY.value),
    ("cadres:registration-detail", Role.SECRETARY.value),
    ("cadres:cadre-detail", Role.COUNTY_STAFF.value),
    ("cadres:work-unit-detail", Role.UNIT_STAFF.value),
    ("supervision:team-detail", Role.TEAM_MEMBER.value),
    ("supervision:problem-detail", Role.TOWNSHIP_STAFF.value),
    ("supervision:evidence", Role.SECRETARY.value),
    ("supplies:entry-detail", Role.SECRETARY.value),
    ("appraisal:appraisal-detail", Role.COUNTY_STAFF.value),
    ("api:registration-detail", Role.SECRETARY.value),
    ("api:ledger-entry-detail", Role.COUNTY_STAFF.value),
    ("api:appraisal-period-workbook", Role.COUNTY_STAFF.value),
    ("audit:event-detail", Role.COUNTY_STAFF.value),
    ("admin:communities_area_change", "county_staff_in_admin_site"),
    ("admin:cadres_cadre_change", "county_staff_in_admin_site"),
]


@pytest.mark.parametrize(("key", "role"), OPENS)
def test_the_role_opens_its_own_countys_object_and_not_the_other(key, role, world, db):
    spec = spec_of(key)
    mine = send(world, role, spec, "get", spec.url(world.a.objects[spec.model]), None)
    theirs = send(world, role, spec, "get", spec.url(world.b.objects[spec.model]), None)
    assert mine.status == 200
    assert theirs.status == (302 if spec.route.area == "admin" else 404)
    assert MARK not in theirs.text


def test_a_view_that_forgets_its_scope_fails_the_matrix(world, db, monkeypatch):
    from communities.selectors import areas_with_totals
    from communities.views import AreaDetailView

    monkeypatch.setattr(
        AreaDetailView, "get_queryset", lambda self: areas_with_totals(Area.objects.all())
    )
    failures = check_route(world, spec_of("communities:area-detail"))
    assert any("answered 200 for another county's object" in f for f in failures)
    assert any("shows county B's data" in f for f in failures)


def test_an_endpoint_that_forgets_its_scope_fails_the_matrix(world, db, monkeypatch):
    from communities.api.views import EstateViewSet

    monkeypatch.setattr(EstateViewSet, "get_queryset", lambda self: Estate.objects.all())
    failures = check_route(world, spec_of("api:estate-detail"))
    assert any(f.startswith("secretary GET") and "another county" in f for f in failures)
    assert any(f.startswith("secretary PATCH") for f in failures)


def test_an_admin_that_forgets_its_scope_fails_the_matrix(world, db, monkeypatch):
    from cadres.admin import CadresAdmin

    monkeypatch.setattr(CadresAdmin, "get_queryset", ServiceAdmin.get_queryset)
    failures = check_route(world, spec_of("admin:cadres_cadre_change"))
    assert any(f.startswith("county_staff_in_admin_site GET") for f in failures)


def test_a_route_the_matrix_cannot_classify_fails(world):
    from django.views.generic import TemplateView

    view = TemplateView.as_view(template_name="base.html")
    by_slug = classify(Route("things/<slug:slug>/", "things:detail", view, ("slug",)))
    by_pk = classify(Route("things/<int:pk>/", "things:detail", view, ("pk",)))
    assert "no value in FIXED_KWARGS" in by_slug.problem
    assert "model its object kwarg selects is unknown" in by_pk.problem
