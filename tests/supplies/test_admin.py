"""The supplies admin: pages render; an entry added here goes through the service (a hand-out
beyond the stock is refused on the form, nothing saved); entries are never edited or deleted;
the reverse action records a reversing entry."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from supplies.choices import EntryKind
from supplies.models import Balance, Item, LedgerEntry, Party, StockMovement

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(model, action, *args):
    return reverse(f"admin:supplies_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def donation(community, disinfectant, give_stock):
    return give_stock(community, disinfectant, 30)


@pytest.mark.parametrize("model", [Item, Party, LedgerEntry, Balance, StockMovement])
def test_every_list_renders(admin_client, donation, model):
    assert admin_client.get(url(model, "changelist")).status_code == 200


def test_an_entry_page_is_a_record_without_save_or_delete(admin_client, donation):
    page = admin_client.get(url(LedgerEntry, "change", donation.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.get(url(LedgerEntry, "delete", donation.pk)).status_code == 403


def hand_out_form(community, item, quantity, party_of):
    return {
        "kind": EntryKind.ISSUE,
        "entry_date": timezone.localdate().isoformat(),
        "item": item.pk,
        "quantity": quantity,
        "from_party": party_of(community).pk,
        "recipient": "居民",
        "note": "",
    }


def test_a_hand_out_added_in_the_admin_goes_through_the_service(
    admin_client, community, disinfectant, donation, party_of
):
    response = admin_client.post(
        url(LedgerEntry, "add"), hand_out_form(community, disinfectant, 12, party_of)
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind=EntryKind.ISSUE)
    assert (entry.number, entry.county_id) == (2, donation.county_id)
    assert Balance.objects.get(holder=party_of(community)).quantity == 18


def test_a_hand_out_beyond_the_stock_is_refused_on_the_form(
    admin_client, community, disinfectant, donation, party_of
):
    response = admin_client.post(
        url(LedgerEntry, "add"), hand_out_form(community, disinfectant, 31, party_of), **ENGLISH
    )
    assert response.status_code == 200
    assert "holds only 30" in response.content.decode()
    assert LedgerEntry.objects.count() == 1
    assert Balance.objects.get(holder=party_of(community)).quantity == 30


def test_the_reverse_action_records_a_reversing_entry(admin_client, donation, party_of, community):
    response = admin_client.post(
        url(LedgerEntry, "changelist"),
        {
            "action": "reverse_selected",
            helpers.ACTION_CHECKBOX_NAME: [donation.pk],
            "note": "重复录入",
        },
    )
    assert response.status_code == 302
    reversal = LedgerEntry.objects.get(reverses=donation)
    assert reversal.note == "重复录入"
    assert Balance.objects.get(holder=party_of(community)).quantity == 0


def test_the_reverse_action_without_a_reason_changes_nothing(admin_client, donation):
    response = admin_client.post(
        url(LedgerEntry, "changelist"),
        {"action": "reverse_selected", helpers.ACTION_CHECKBOX_NAME: [donation.pk], "note": ""},
        follow=True,
        **ENGLISH,
    )
    assert "Say why the entry is reversed." in response.content.decode()
    assert LedgerEntry.objects.count() == 1


def test_a_holders_party_is_not_edited_here(admin_client, community, party_of):
    page = admin_client.get(url(Party, "change", party_of(community).pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_a_donor_is_added_here(admin_client, county):
    response = admin_client.post(
        url(Party, "add"),
        {"kind": "enterprise", "county": county.pk, "name": "铁岭某集团", "anonymous": "on"},
    )
    assert response.status_code == 302
    assert Party.objects.get(name="铁岭某集团").anonymous
