"""Races on the ledger, each writer on its own connection, released together: the stock never
goes below zero, vouchers stay gapless, opposite transfers do not deadlock, an entry is reversed
once."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from supplies import services
from supplies.choices import EntryKind
from supplies.models import Balance, LedgerEntry
from tests.cadres.test_concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def record(actor, kind, item, quantity, **parties):
    return lambda: services.entry_record(
        actor=actor,
        kind=kind,
        line=services.EntryLine(item=item, quantity=Decimal(quantity)),
        entry_date=timezone.localdate(),
        **parties,
    )


def test_twenty_hand_outs_against_a_stock_of_ten_leave_exactly_zero(
    secretary, community, disinfectant, party_of, give_stock
):
    give_stock(community, disinfectant, 10)
    holder = party_of(community)
    hand_out = record(
        secretary, EntryKind.ISSUE, disinfectant, 1, from_party=holder, recipient="居民"
    )
    outcomes = at_once(*[hand_out] * 20)
    handed = [o for o in outcomes if isinstance(o, LedgerEntry)]
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(handed), len(refusals)) == (10, 10)
    assert all("0" in r.message_dict["quantity"][0] for r in refusals)
    assert Balance.objects.get(holder=holder, item=disinfectant).quantity == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.ISSUE).count() == 10


def test_vouchers_recorded_at_once_are_numbered_without_gaps(
    secretary, community, donor, disinfectant, party_of
):
    donation = record(
        secretary,
        EntryKind.DONATION,
        disinfectant,
        1,
        from_party=donor,
        to_party=party_of(community),
    )
    outcomes = at_once(*[donation] * 12)
    assert all(isinstance(o, LedgerEntry) for o in outcomes), outcomes
    numbers = sorted(LedgerEntry.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 13))
    assert Balance.objects.get(holder=party_of(community), item=disinfectant).quantity == 12


def test_opposite_transfers_at_the_same_moment_do_not_deadlock(
    township_staff, community, other_community, disinfectant, party_of, give_stock
):
    give_stock(community, disinfectant, 50)
    give_stock(other_community, disinfectant, 50)
    here, there = party_of(community), party_of(other_community)
    forth = record(
        township_staff, EntryKind.TRANSFER, disinfectant, 5, from_party=here, to_party=there
    )
    back = record(
        township_staff, EntryKind.TRANSFER, disinfectant, 7, from_party=there, to_party=here
    )
    outcomes = at_once(*[forth, back] * 5)
    assert all(isinstance(o, LedgerEntry) for o in outcomes), outcomes
    assert Balance.objects.get(holder=here, item=disinfectant).quantity == 50 - 25 + 35
    assert Balance.objects.get(holder=there, item=disinfectant).quantity == 50 + 25 - 35


def test_an_entry_reversed_twice_at_once_is_reversed_once(
    secretary, community, disinfectant, give_stock
):
    donation = give_stock(community, disinfectant, 10)

    def reverse():
        return services.entry_reverse(actor=secretary, entry=donation, note="录错")

    outcomes = at_once(reverse, reverse, reverse)
    assert sum(isinstance(o, LedgerEntry) for o in outcomes) == 1
    assert all(isinstance(o, LedgerEntry | ValidationError | IntegrityError) for o in outcomes)
    assert LedgerEntry.objects.filter(reverses=donation).count() == 1
