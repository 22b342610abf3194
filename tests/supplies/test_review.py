"""Found in review: inputs that reached the database and came back as a 500."""

import json
from decimal import Decimal

import pytest

from supplies.models import Balance, LedgerEntry

pytestmark = pytest.mark.django_db

ENTRIES = "/api/ledger-entries/"


def test_a_donation_past_what_a_balance_can_hold_is_a_400_and_stores_nothing(
    api_for, county_staff, disinfectant, donor, party_of, community
):
    client = api_for(county_staff)
    body = {
        "kind": "donation",
        "item": disinfectant.pk,
        "quantity": "99999999999980",
        "from_party": donor.pk,
        "to_party": party_of(community).pk,
    }
    first = client.post(ENTRIES, json.dumps(body), content_type="application/json")
    assert first.status_code == 201

    second = client.post(ENTRIES, json.dumps(body), content_type="application/json")

    assert second.status_code == 400
    assert "quantity" in second.json()
    assert LedgerEntry.objects.count() == 1
    balance = Balance.objects.get(holder=party_of(community), item=disinfectant)
    assert balance.quantity == Decimal("99999999999980")
