"""`seed_demo` builds the example of DOMAIN.md and can be run again without duplicating it."""

import io

import pytest
from django.core.management import call_command

from communities import demo
from communities.choices import Role
from communities.models import Area, Building, Unit, User
from communities.selectors import areas_with_totals
from tests.conftest import authenticate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_the_places(monkeypatch):
    """These tests are about the places and accounts; the demo steps other apps register have
    their own tests (tests/cadres/test_seed_demo.py)."""
    monkeypatch.setattr(demo, "_steps", [])


def seed(password="demo-pass-1"):
    call_command("seed_demo", password=password, stdout=open("/dev/null", "w"))


def test_demo_is_the_source_county_with_its_named_communities():
    seed()

    tieling = Area.objects.get(name="铁岭县")
    names = set(Area.objects.under(tieling).communities().values_list("name", flat=True))
    assert {"浅水湾社区", "水木华园社区", "天嘉苑社区", "官台新苑社区", "新弘国际社区"} <= names
    assert "紫御华庭社区" in names
    townships = set(tieling.children.values_list("name", flat=True))
    assert townships == {"凡河新区", "莲花湖街道", "大甸子镇", "李千户镇", "横道镇"}
    shuimu = areas_with_totals(Area.objects.filter(name="水木华园社区")).get()
    assert shuimu.household_count == 5744
    assert shuimu.estate_count == 2
    assert Building.objects.filter(estate__name="十区", community__name="官台新苑社区").exists()


def test_running_it_twice_changes_nothing():
    seed()
    counts = (Area.objects.count(), Building.objects.count(), Unit.objects.count())

    seed()

    assert (Area.objects.count(), Building.objects.count(), Unit.objects.count()) == counts
    assert User.objects.count() == 6


def test_demo_accounts_log_in_with_the_given_password_and_see_their_area():
    seed("another-pass-2")

    secretary = authenticate(username="secretary", password="another-pass-2")
    assert secretary.area.name == "水木华园社区"
    assert authenticate(username="secretary2", password="another-pass-2").area.name == "天嘉苑社区"
    assert authenticate(username="county", password="another-pass-2").area.name == "铁岭县"
    assert authenticate(username="township", password="another-pass-2").area.name == "莲花湖街道"
    assert authenticate(username="admin", password="another-pass-2").is_superuser
    assert authenticate(username="team", password="another-pass-2") is not None


def test_without_a_password_a_random_one_is_printed(capsys):
    call_command("seed_demo")

    out = capsys.readouterr().out
    password = out.split("(password: ")[1].split(")")[0]
    assert "secretary" in out and "http://127.0.0.1:8000/" in out
    assert password and authenticate(username="secretary", password=password)


def test_registered_steps_run_after_the_places_and_their_accounts_are_listed():
    calls = []

    def step(run):
        calls.append((Building.objects.exists(), run.password, run.admin.username))
        run.account("extra", Role.TEAM_MEMBER, None, "王喆", where="横道镇")

    demo.register(step)
    demo.register(step)
    out = io.StringIO()
    call_command("seed_demo", password="demo-pass-3", stdout=out)

    assert calls == [(True, "demo-pass-3", "admin")]
    assert "extra" in out.getvalue() and "横道镇" in out.getvalue()
    assert authenticate(username="extra", password="demo-pass-3") is not None
