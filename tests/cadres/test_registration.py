"""Registration (报到): submitting, confirming, returning, and transferring a member who moved."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from cadres.choices import BranchKind, Channel, PartyStanding, PostKind, RegistrationStatus
from cadres.models import Branch, BranchMember, Cadre, Post, Registration
from cadres.services import (
    CadreDetails,
    building_group_save,
    registration_confirm,
    registration_return,
    registration_submit,
    registration_transfer,
)
from cadres.validators import id_number_check_character
from tests.factories import (
    BranchFactory,
    CadreFactory,
    PostFactory,
    RegistrationFactory,
    UnitFactory,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def id_number(first17: str) -> str:
    return first17 + id_number_check_character(first17)


ID_A = id_number("21122119900101123")
ID_B = id_number("21122119851215456")
ID_WITH_X = "11010519491231002X"  # the example in GB 11643 itself


def details_of(cadre: Cadre, **changes) -> CadreDetails:
    values = {"name": cadre.name, "phone": cadre.phone, "work_unit": cadre.work_unit}
    return CadreDetails(**(values | changes))


def submit(community, details, *, actor=None, **kwargs) -> Registration:
    """Self-service unless an actor is given."""
    return registration_submit(actor=actor, community=community, details=details, **kwargs)


@pytest.fixture
def transfer_request(confirmed_registration, other_community):
    """孙守超, confirmed at 水木华园社区, registers at 天嘉苑社区 too."""
    return submit(other_community, details_of(confirmed_registration.cadre))


# Submitting


def test_self_service_creates_the_member_and_a_pending_registration(
    community, building, unit, work_unit
):
    registration = submit(
        community,
        CadreDetails(name="王艳秋", phone="+86 138 0000 0001", work_unit=work_unit, id_number=ID_A),
        unit=unit,
        room="301",
        channel=Channel.PHONE,
    )

    assert registration.status == RegistrationStatus.PENDING
    assert registration.channel == Channel.SELF_SERVICE
    assert registration.submitted_by is None
    assert (registration.building, registration.unit, registration.room) == (building, unit, "301")
    cadre = Cadre.objects.get()
    assert (cadre.name, cadre.phone, cadre.id_number) == ("王艳秋", "13800000001", ID_A)
    assert registration.cadre == cadre


def test_a_bad_phone_number_on_the_self_service_page_creates_nothing(community, work_unit):
    with pytest.raises(ValidationError) as caught:
        submit(community, CadreDetails(name="王艳秋", phone="12345", work_unit=work_unit))

    assert "phone" in caught.value.message_dict
    assert not Cadre.objects.exists()
    assert not Registration.objects.exists()


def test_the_same_phone_again_at_the_same_community_is_told_and_not_duplicated(
    pending_registration, community
):
    with pytest.raises(ValidationError) as caught:
        submit(community, details_of(pending_registration.cadre, phone="138-1234-1234"))

    assert caught.value.code == "already_registered"
    message = caught.value.messages[0]
    assert "赵莹 already registered with 水木华园社区" in message
    assert "nothing new was added" in message
    assert Registration.objects.count() == 1
    assert Cadre.objects.count() == 1


def test_a_confirmed_member_registering_again_at_the_same_community_is_told_so(
    confirmed_registration, community
):
    with pytest.raises(ValidationError) as caught:
        submit(community, details_of(confirmed_registration.cadre))

    assert caught.value.code == "already_registered"
    assert "Confirmed" in caught.value.messages[0]
    assert Registration.objects.count() == 1


def test_the_same_id_number_with_another_phone_is_recognised_as_the_same_person(
    community, work_unit
):
    first = submit(
        community,
        CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit, id_number=ID_WITH_X),
    )

    with pytest.raises(ValidationError) as caught:
        submit(
            community,
            CadreDetails(
                name="王艳秋",
                phone="13800000002",
                work_unit=work_unit,
                id_number=ID_WITH_X.lower(),
            ),
        )

    assert caught.value.code == "already_registered"
    assert Cadre.objects.get() == first.cadre
    assert Registration.objects.get() == first


def test_the_same_id_number_with_another_phone_elsewhere_is_a_transfer_of_that_person(
    community, other_community, work_unit
):
    first = submit(
        community,
        CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit, id_number=ID_A),
    )

    second = submit(
        other_community,
        CadreDetails(name="王艳秋", phone="13800000002", work_unit=work_unit, id_number=ID_A),
    )

    assert second.cadre == first.cadre
    assert second.status == RegistrationStatus.TRANSFER_REQUESTED
    assert Cadre.objects.count() == 1


def test_the_phone_of_one_member_with_the_id_number_of_another_is_refused(community, work_unit):
    CadreFactory(name="甲", phone="13800000001", id_number=ID_A, work_unit=work_unit)
    CadreFactory(name="乙", phone="13800000002", id_number=ID_B, work_unit=work_unit)

    with pytest.raises(ValidationError) as caught:
        submit(
            community,
            CadreDetails(name="甲", phone="13800000001", work_unit=work_unit, id_number=ID_B),
        )

    assert list(caught.value.message_dict) == ["id_number"]
    assert "two different members" in caught.value.message_dict["id_number"][0]
    assert not Registration.objects.exists()


def test_a_known_phone_under_another_name_is_refused_and_creates_nothing(cadre, community):
    with pytest.raises(ValidationError) as caught:
        submit(community, details_of(cadre, name="冒名者"))

    assert list(caught.value.message_dict) == ["phone"]
    assert "another name" in caught.value.message_dict["phone"][0]
    assert Cadre.objects.get() == cadre
    assert cadre.name == "赵莹"
    assert not Registration.objects.exists()


def test_a_known_id_number_under_another_name_is_refused(community, work_unit):
    CadreFactory(name="甲", phone="13800000001", id_number=ID_A, work_unit=work_unit)

    with pytest.raises(ValidationError) as caught:
        submit(
            community,
            CadreDetails(name="乙", phone="13800000009", work_unit=work_unit, id_number=ID_A),
        )

    assert list(caught.value.message_dict) == ["id_number"]
    assert Cadre.objects.count() == 1
    assert not Registration.objects.exists()


def test_registering_while_active_elsewhere_becomes_a_transfer_request(
    confirmed_registration, transfer_request, other_community
):
    assert transfer_request.status == RegistrationStatus.TRANSFER_REQUESTED
    assert transfer_request.transferred_from == confirmed_registration
    assert transfer_request.community == other_community
    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.CONFIRMED


def test_registering_while_pending_elsewhere_is_also_a_transfer_request(
    pending_registration, other_community
):
    request = submit(other_community, details_of(pending_registration.cadre))

    assert request.status == RegistrationStatus.TRANSFER_REQUESTED
    assert request.transferred_from == pending_registration


def test_a_second_transfer_request_while_one_waits_is_refused(
    confirmed_registration, transfer_request, far_community
):
    with pytest.raises(ValidationError) as caught:
        submit(far_community, details_of(confirmed_registration.cadre))

    assert caught.value.code == "transfer_waiting"
    assert "天嘉苑社区" in caught.value.messages[0]
    assert Registration.objects.count() == 2


def test_a_member_whose_registration_was_returned_may_register_again(cadre, community):
    RegistrationFactory(cadre=cadre, community=community, status="returned", return_reason="错号")

    again = submit(community, details_of(cadre))

    assert again.status == RegistrationStatus.PENDING
    assert cadre.registrations.count() == 2


def test_a_secretary_enters_a_registration_taken_by_phone(secretary, community, work_unit):
    registration = submit(
        community,
        CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit),
        actor=secretary,
        channel=Channel.PHONE,
    )

    assert registration.channel == Channel.PHONE
    assert registration.submitted_by == secretary


def test_a_secretary_cannot_enter_a_registration_for_another_community(
    secretary, other_community, work_unit
):
    with pytest.raises(PermissionDenied):
        submit(
            other_community,
            CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit),
            actor=secretary,
            channel=Channel.PHONE,
        )

    assert not Cadre.objects.exists()
    assert not Registration.objects.exists()


def test_township_staff_cannot_enter_registrations(township_staff, community, work_unit):
    with pytest.raises(PermissionDenied):
        submit(
            community,
            CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit),
            actor=township_staff,
        )


def test_registering_with_a_township_instead_of_a_community_is_refused(township, work_unit):
    with pytest.raises(ValidationError) as caught:
        submit(township, CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit))

    assert "Registrations are made with a community." in caught.value.message_dict["community"]
    assert not Cadre.objects.exists()


def test_a_building_of_another_community_is_a_field_error_and_creates_nothing(
    community, other_building, work_unit
):
    with pytest.raises(ValidationError) as caught:
        submit(
            community,
            CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit),
            building=other_building,
        )

    assert caught.value.message_dict == {
        "building": ["This building belongs to another community."]
    }
    assert not Cadre.objects.exists()
    assert not Registration.objects.exists()


def test_a_unit_of_another_community_is_a_field_error(community, other_building, work_unit):
    other_unit = UnitFactory(building=other_building)

    with pytest.raises(ValidationError) as caught:
        submit(
            community,
            CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit),
            unit=other_unit,
        )

    assert "building" in caught.value.message_dict
    assert not Registration.objects.exists()


def test_a_unit_of_another_building_is_a_field_error(community, building, estate, work_unit):
    second_building_unit = UnitFactory(building__estate=estate)

    with pytest.raises(ValidationError) as caught:
        submit(
            community,
            CadreDetails(name="王艳秋", phone="13800000001", work_unit=work_unit),
            building=building,
            unit=second_building_unit,
        )

    assert caught.value.message_dict == {"unit": ["This unit belongs to another building."]}


# Confirming and returning


@pytest.fixture
def many_pending(community, work_unit):
    return [RegistrationFactory(community=community, cadre__work_unit=work_unit) for _ in range(30)]


def test_a_secretary_confirms_many_registrations_at_once(secretary, many_pending):
    before = timezone.now()

    registration_confirm(actor=secretary, registrations=many_pending)

    confirmed = Registration.objects.filter(status=RegistrationStatus.CONFIRMED)
    assert confirmed.count() == 30
    assert set(confirmed.values_list("decided_by", flat=True)) == {secretary.pk}
    assert all(r.decided_at >= before for r in confirmed)


def test_confirming_an_already_confirmed_registration_leaves_it_as_it_was(
    secretary, confirmed_registration, pending_registration
):
    registration_confirm(
        actor=secretary, registrations=[confirmed_registration, pending_registration]
    )

    confirmed_registration.refresh_from_db()
    pending_registration.refresh_from_db()
    assert confirmed_registration.decided_at is None
    assert pending_registration.status == RegistrationStatus.CONFIRMED


def test_confirming_nothing_is_refused(secretary):
    with pytest.raises(ValidationError) as caught:
        registration_confirm(actor=secretary, registrations=[])

    assert caught.value.code == "empty"


def test_a_returned_registration_cannot_be_confirmed(secretary, cadre, community):
    returned = RegistrationFactory(
        cadre=cadre, community=community, status="returned", return_reason="不在本社区居住"
    )

    with pytest.raises(ValidationError) as caught:
        registration_confirm(actor=secretary, registrations=[returned])

    assert caught.value.code == "not_pending"
    returned.refresh_from_db()
    assert returned.status == RegistrationStatus.RETURNED


def test_a_secretary_returns_many_with_a_reason(secretary, many_pending):
    registration_return(actor=secretary, registrations=many_pending, reason=" 不在本社区居住 ")

    returned = Registration.objects.filter(status=RegistrationStatus.RETURNED)
    assert returned.count() == 30
    assert set(returned.values_list("return_reason", flat=True)) == {"不在本社区居住"}


@pytest.mark.parametrize("reason", ["", "   "])
def test_returning_without_a_reason_is_refused(secretary, pending_registration, reason):
    with pytest.raises(ValidationError) as caught:
        registration_return(actor=secretary, registrations=[pending_registration], reason=reason)

    assert caught.value.message_dict == {"return_reason": ["Say why the registration is returned."]}
    pending_registration.refresh_from_db()
    assert pending_registration.status == RegistrationStatus.PENDING


def test_returning_a_confirmed_registration_is_refused_and_changes_nothing(
    secretary, many_pending, confirmed_registration
):
    with pytest.raises(ValidationError) as caught:
        registration_return(
            actor=secretary,
            registrations=[*many_pending, confirmed_registration],
            reason="重复报到",
        )

    assert caught.value.code == "not_pending"
    assert "孙守超" in caught.value.messages[0]
    assert Registration.objects.filter(status=RegistrationStatus.PENDING).count() == 30
    assert not Registration.objects.filter(status=RegistrationStatus.RETURNED).exists()
    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.CONFIRMED


def test_another_communitys_secretary_cannot_confirm(other_secretary, pending_registration):
    with pytest.raises(PermissionDenied):
        registration_confirm(actor=other_secretary, registrations=[pending_registration])

    pending_registration.refresh_from_db()
    assert pending_registration.status == RegistrationStatus.PENDING


def test_another_communitys_secretary_cannot_return(other_secretary, pending_registration):
    with pytest.raises(PermissionDenied):
        registration_return(
            actor=other_secretary, registrations=[pending_registration], reason="不认识"
        )

    pending_registration.refresh_from_db()
    assert pending_registration.status == RegistrationStatus.PENDING


def test_a_mixed_selection_with_another_communitys_registration_changes_nothing(
    secretary, many_pending, other_community
):
    foreign = RegistrationFactory(community=other_community)

    with pytest.raises(PermissionDenied):
        registration_confirm(actor=secretary, registrations=[*many_pending, foreign])

    assert not Registration.objects.filter(status=RegistrationStatus.CONFIRMED).exists()


def test_township_and_county_staff_cannot_decide(
    township_staff, county_staff, pending_registration
):
    for staff in (township_staff, county_staff):
        with pytest.raises(PermissionDenied):
            registration_confirm(actor=staff, registrations=[pending_registration])


# Confirming a transfer request


@pytest.fixture
def old_service(confirmed_registration, community, building, grid, county):
    """What 孙守超 holds at 水木华园社区: 楼长 of 1号楼, a duty role, a branch membership; and a
    front-line branch of the county that has nothing to do with where he lives."""
    cadre = confirmed_registration.cadre
    chief = PostFactory(
        registration=confirmed_registration, kind=PostKind.BUILDING_CHIEF, building=building
    )
    duty = PostFactory(registration=confirmed_registration, kind=PostKind.PUBLICIST)
    branch = BranchFactory(area=community, kind=BranchKind.GRID, grid=grid)
    membership = BranchMember.objects.create(branch=branch, cadre=cadre, joined_on="2020-02-01")
    front_line = BranchFactory(area=county, kind=BranchKind.FRONT_LINE)
    front_line_membership = BranchMember.objects.create(
        branch=front_line, cadre=cadre, joined_on="2020-02-01"
    )
    return {
        "posts": [chief, duty],
        "membership": membership,
        "front_line_membership": front_line_membership,
    }


def test_confirming_a_transfer_request_ends_the_old_registration_and_its_service(
    other_secretary, confirmed_registration, transfer_request, old_service
):
    registration_confirm(actor=other_secretary, registrations=[transfer_request])

    transfer_request.refresh_from_db()
    confirmed_registration.refresh_from_db()
    assert transfer_request.status == RegistrationStatus.CONFIRMED
    assert confirmed_registration.status == RegistrationStatus.TRANSFERRED
    assert confirmed_registration.ended_at is not None
    for post in old_service["posts"]:
        post.refresh_from_db()
        assert post.ended_at == confirmed_registration.ended_at
    old_service["membership"].refresh_from_db()
    assert old_service["membership"].left_on == timezone.localdate()
    old_service["front_line_membership"].refresh_from_db()
    assert old_service["front_line_membership"].left_on is None


def test_a_transferred_branch_secretary_and_group_leader_leave_their_seats_empty(
    secretary, other_secretary, confirmed_registration, transfer_request, building, old_service
):
    cadre = confirmed_registration.cadre
    branch = old_service["membership"].branch
    Branch.objects.filter(pk=branch.pk).update(secretary=cadre)
    group = building_group_save(actor=secretary, building=building, leader=cadre)

    registration_confirm(actor=other_secretary, registrations=[transfer_request])

    branch.refresh_from_db()
    group.refresh_from_db()
    assert branch.secretary is None
    assert group.leader is None


def test_a_transfer_keeps_the_history(
    other_secretary, confirmed_registration, transfer_request, old_service
):
    registration_confirm(actor=other_secretary, registrations=[transfer_request])

    cadre = confirmed_registration.cadre
    assert set(cadre.registrations.values_list("status", flat=True)) == {
        RegistrationStatus.TRANSFERRED,
        RegistrationStatus.CONFIRMED,
    }
    assert Post.objects.filter(registration=confirmed_registration).count() == 2
    assert BranchMember.objects.filter(cadre=cadre).count() == 2
    assert Branch.objects.count() == 2


def test_the_old_communitys_secretary_cannot_decide_a_transfer_request(
    secretary, confirmed_registration, transfer_request
):
    with pytest.raises(PermissionDenied):
        registration_confirm(actor=secretary, registrations=[transfer_request])

    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.CONFIRMED


def test_returning_a_transfer_request_leaves_the_first_registration_as_it_was(
    other_secretary, confirmed_registration, transfer_request, old_service
):
    registration_return(
        actor=other_secretary, registrations=[transfer_request], reason="不在本社区居住"
    )

    transfer_request.refresh_from_db()
    confirmed_registration.refresh_from_db()
    assert transfer_request.status == RegistrationStatus.RETURNED
    assert confirmed_registration.status == RegistrationStatus.CONFIRMED
    assert all(post.ended_at is None for post in Post.objects.all())


def test_after_a_returned_transfer_request_the_member_may_ask_again(
    other_secretary, confirmed_registration, transfer_request, other_community
):
    registration_return(actor=other_secretary, registrations=[transfer_request], reason="地址不清")

    again = submit(other_community, details_of(confirmed_registration.cadre))

    assert again.status == RegistrationStatus.TRANSFER_REQUESTED


# Transferring a confirmed member


def test_a_confirmed_member_is_transferred_to_a_pending_registration_at_the_new_community(
    secretary, confirmed_registration, other_community, other_building, old_service
):
    new = registration_transfer(
        actor=secretary,
        registration=confirmed_registration,
        community=other_community,
        building=other_building,
        room="502",
    )

    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.TRANSFERRED
    assert confirmed_registration.ended_at is not None
    assert (new.status, new.channel) == (RegistrationStatus.PENDING, Channel.TRANSFER)
    assert new.transferred_from == confirmed_registration
    assert (new.community, new.building, new.room) == (other_community, other_building, "502")
    assert not Post.objects.active().exists()


def test_only_a_confirmed_registration_is_transferred(
    secretary, pending_registration, other_community
):
    with pytest.raises(ValidationError) as caught:
        registration_transfer(
            actor=secretary, registration=pending_registration, community=other_community
        )

    assert caught.value.code == "not_confirmed"
    assert Registration.objects.count() == 1


def test_a_transfer_to_the_same_community_is_refused(secretary, confirmed_registration, community):
    with pytest.raises(ValidationError) as caught:
        registration_transfer(
            actor=secretary, registration=confirmed_registration, community=community
        )

    assert "community" in caught.value.message_dict
    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.CONFIRMED


def test_a_transfer_naming_a_building_outside_the_new_community_changes_nothing(
    secretary, confirmed_registration, other_community, old_service, building
):
    with pytest.raises(ValidationError) as caught:
        registration_transfer(
            actor=secretary,
            registration=confirmed_registration,
            community=other_community,
            building=building,
        )

    assert "building" in caught.value.message_dict
    confirmed_registration.refresh_from_db()
    assert confirmed_registration.status == RegistrationStatus.CONFIRMED
    assert Post.objects.active().count() == 2


def test_another_communitys_secretary_cannot_transfer(
    other_secretary, confirmed_registration, other_community
):
    with pytest.raises(PermissionDenied):
        registration_transfer(
            actor=other_secretary,
            registration=confirmed_registration,
            community=other_community,
        )


def test_a_transfer_while_a_transfer_request_waits_is_refused(
    secretary, confirmed_registration, transfer_request, far_community
):
    with pytest.raises(ValidationError) as caught:
        registration_transfer(
            actor=secretary, registration=confirmed_registration, community=far_community
        )

    assert caught.value.code == "transfer_waiting"


def test_probationary_standing_is_kept_from_what_the_member_states(community, work_unit):
    registration = submit(
        community,
        CadreDetails(
            name="王艳秋",
            phone="13800000001",
            work_unit=work_unit,
            party_standing=PartyStanding.PROBATIONARY,
        ),
    )

    assert registration.cadre.party_standing == PartyStanding.PROBATIONARY
