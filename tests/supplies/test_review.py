"""Found in review: inputs that reached the database and came back as a 500."""

import json
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from supplies import services
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


def hand_out_form(holder, batch: str) -> dict:
    return {
        "entry-from_party": holder.pk,
        "entry-recipient": "3号楼居民",
        "entry-entry_date": str(timezone.localdate()),
        "entry-batch": batch,
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": "消毒液",
        "lines-0-quantity": "2",
    }


def test_a_hand_out_form_sent_twice_is_recorded_once(
    client_for, secretary, community, disinfectant, give_stock, party_of
):
    give_stock(community, disinfectant, 10)
    client = client_for(secretary)
    page = client.get("/supplies/record/issue/")
    batch = page.context["form"]["batch"].value()
    assert batch
    data = hand_out_form(party_of(community), str(batch))

    first = client.post("/supplies/record/issue/", data)
    second = client.post("/supplies/record/issue/", data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert LedgerEntry.objects.filter(kind="issue").count() == 1
    balance = Balance.objects.get(holder=party_of(community), item=disinfectant)
    assert balance.quantity == 8


def test_another_users_batch_does_not_join_their_receipt(
    client_for,
    secretary,
    other_secretary,
    community,
    other_community,
    disinfectant,
    give_stock,
    party_of,
):
    give_stock(community, disinfectant, 10)
    give_stock(other_community, disinfectant, 10)
    data = hand_out_form(party_of(community), str(uuid.uuid4()))
    client_for(secretary).post("/supplies/record/issue/", data)
    theirs = LedgerEntry.objects.get(kind="issue")

    data["entry-from_party"] = party_of(other_community).pk
    response = client_for(other_secretary).post("/supplies/record/issue/", data)

    assert response.status_code == 302
    mine = LedgerEntry.objects.filter(kind="issue").exclude(pk=theirs.pk).get()
    assert mine.batch != theirs.batch
    assert mine.recorded_by == other_secretary


def test_a_reversal_reason_longer_than_the_ledger_keeps_is_refused_from_the_admin_too(
    client_for, admin_user, community, disinfectant, give_stock
):
    entry = give_stock(community, disinfectant, 10)
    client = client_for(admin_user)

    client.post(
        "/admin/supplies/ledgerentry/",
        {"action": "reverse_selected", "_selected_action": [entry.pk], "note": "x" * 1001},
    )

    assert LedgerEntry.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        services.entry_reverse(actor=admin_user, entry=entry, note="x" * 1001)
    assert "note" in refused.value.message_dict
