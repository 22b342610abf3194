"""Phone and ID-card numbers: checked on input, masked on output."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9X]$"

# GB 11643-1999: weights of the first 17 digits, and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARACTERS = "10X98765432"


def normalize_phone(value: str) -> str:
    """Drops spaces, dashes and a +86 prefix, as people type them."""
    digits = re.sub(r"[\s\-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_mobile(value: str) -> None:
    if not re.fullmatch(MOBILE_PATTERN, value or ""):
        raise ValidationError(
            _("Enter a mainland mobile number of 11 digits starting with 1, e.g. 13812341234."),
            code="invalid_mobile",
        )


def id_number_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARACTERS[total % 11]


def validate_id_number(value: str) -> None:
    """An 18-character resident ID number with a real birth date and the GB 11643 check digit."""
    if not re.fullmatch(ID_NUMBER_PATTERN, value or ""):
        raise ValidationError(
            _("An ID-card number has 17 digits followed by a digit or X."), code="invalid_id"
        )
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        if born.year < 1900 or born > timezone.localdate():
            raise ValueError
    except ValueError:
        raise ValidationError(
            _("This ID-card number does not contain a valid birth date."), code="invalid_id"
        ) from None
    if id_number_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("This ID-card number's check digit is wrong; please check it."), code="invalid_id"
        )


def mask_phone(value: str) -> str:
    """13812341234 → 138****1234."""
    if not value:
        return ""
    return f"{value[:3]}****{value[-4:]}" if len(value) > 7 else "****"


def mask_id_number(value: str | None) -> str:
    """211221199001011234 → 211221********1234."""
    if not value:
        return ""
    return f"{value[:6]}********{value[-4:]}" if len(value) > 10 else "********"
