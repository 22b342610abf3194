"""Phone and ID-card numbers: what a member may type, how it is tidied, and how lists show it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cadres.models import Cadre
from cadres.validators import (
    id_number_check_character,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_mobile,
)
from tests.factories import CadreFactory

# The example of the national standard GB 11643-1999 itself, check character X.
STANDARD_EXAMPLE = "11010519491231002X"
# A 铁岭县 (211221) number born 1990-01-01, check digit computed by the standard's rule.
TIELING_FIRST17 = "21122119900101123"
TIELING_ID = TIELING_FIRST17 + id_number_check_character(TIELING_FIRST17)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages(caught) -> list[str]:
    return caught.value.messages


# Mobile numbers


@pytest.mark.parametrize("phone", ["13812341234", "15000000000", "19912345678", "16612345678"])
def test_mainland_mobile_numbers_are_accepted(phone):
    validate_mobile(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "12812341234",  # no mobile network starts with 12
        "1381234123",  # ten digits
        "138123412345",  # twelve digits
        "02483812345",  # a landline
        "1381234123a",
        "",
    ],
)
def test_numbers_that_are_not_mainland_mobiles_are_refused(phone):
    with pytest.raises(ValidationError) as caught:
        validate_mobile(phone)

    assert caught.value.code == "invalid_mobile"
    assert "mainland mobile" in messages(caught)[0]


@pytest.mark.parametrize(
    "typed", ["+86 138 1234 1234", "+8613812341234", "0086 138-1234-1234", " 138 1234 1234 "]
)
def test_country_code_spaces_and_dashes_are_dropped(typed):
    assert normalize_phone(typed) == "13812341234"


def test_a_cadre_saved_with_a_typed_plus86_number_keeps_the_bare_mobile(work_unit):
    cadre = Cadre(name=" 赵莹 ", phone="+86 138 1234 1234", work_unit=work_unit)

    cadre.full_clean()

    assert cadre.phone == "13812341234"
    assert cadre.name == "赵莹"
    assert cadre.name_initials == "zy"


# ID-card numbers (GB 11643)


def test_the_standards_own_example_number_is_valid():
    assert id_number_check_character(STANDARD_EXAMPLE[:17]) == "X"
    validate_id_number(STANDARD_EXAMPLE)


def test_a_number_with_the_computed_check_digit_is_valid():
    assert TIELING_ID == "211221199001011232"
    validate_id_number(TIELING_ID)


def test_a_wrong_check_digit_is_refused():
    wrong = TIELING_ID[:17] + ("3" if TIELING_ID[17] != "3" else "4")

    with pytest.raises(ValidationError) as caught:
        validate_id_number(wrong)

    assert messages(caught) == ["This ID-card number's check digit is wrong; please check it."]


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000"])
def test_a_number_without_a_real_birth_date_is_refused(birth):
    first17 = f"211221{birth}123"

    with pytest.raises(ValidationError) as caught:
        validate_id_number(first17 + id_number_check_character(first17))

    assert messages(caught) == ["This ID-card number does not contain a valid birth date."]


@pytest.mark.parametrize(
    "value", ["21122119900101123", "2112211990010112321", "21122119900101123Y"]
)
def test_a_number_of_the_wrong_shape_is_refused(value):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(value)

    assert messages(caught) == ["An ID-card number has 17 digits followed by a digit or X."]


def test_a_lowercase_x_is_taken_as_the_check_character_x(work_unit):
    assert normalize_id_number(" 11010519491231002x ") == STANDARD_EXAMPLE
    cadre = Cadre(
        name="王艳秋", phone="13800000001", id_number="11010519491231002x", work_unit=work_unit
    )

    cadre.full_clean()

    assert cadre.id_number == STANDARD_EXAMPLE


def test_an_empty_id_number_is_stored_as_none(work_unit):
    cadre = Cadre(name="董诗琪", phone="13800000002", id_number="  ", work_unit=work_unit)

    cadre.full_clean()

    assert cadre.id_number is None


def test_a_cadre_with_a_bad_id_number_gets_a_field_error(work_unit):
    cadre = Cadre(
        name="董诗琪", phone="13800000002", id_number=TIELING_ID[:17] + "X", work_unit=work_unit
    )

    with pytest.raises(ValidationError) as caught:
        cadre.full_clean()

    assert list(caught.value.message_dict) == ["id_number"]


# Masking


def test_a_phone_is_masked_to_its_first_three_and_last_four_digits():
    assert mask_phone("13812341234") == "138****1234"


def test_an_id_number_is_masked_to_its_region_and_last_four_characters():
    assert mask_id_number("211221199001011234") == "211221********1234"
    assert mask_id_number(STANDARD_EXAMPLE) == "110105********002X"


def test_masking_nothing_shows_nothing():
    assert mask_phone("") == ""
    assert mask_id_number(None) == ""


# Uniqueness


def test_a_phone_number_belongs_to_one_cadre_only(cadre, work_unit):
    twin = Cadre(name="赵莹", phone="138 1234 1234", work_unit=work_unit)

    with pytest.raises(ValidationError) as caught:
        twin.full_clean()

    assert list(caught.value.message_dict) == ["phone"]


def test_an_id_number_belongs_to_one_cadre_only(work_unit):
    CadreFactory(id_number=TIELING_ID, work_unit=work_unit)
    twin = Cadre(name="另一人", phone="13800000003", id_number=TIELING_ID, work_unit=work_unit)

    with pytest.raises(ValidationError) as caught:
        twin.full_clean()

    assert list(caught.value.message_dict) == ["id_number"]


def test_many_cadres_may_have_no_id_number(work_unit):
    CadreFactory(id_number=None, work_unit=work_unit)
    other = Cadre(name="另一人", phone="13800000004", id_number="", work_unit=work_unit)

    other.full_clean()
    other.save()

    assert Cadre.objects.filter(id_number__isnull=True).count() == 2
