"""The ledger's rules: packs convert exactly, vouchers have no gaps, entries are never changed,
balances never go negative, a mistake is reversed by a new entry; each held by the services and
again by the database when the services are bypassed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from communities.choices import Role
from supplies import services
from supplies.choices import EntryKind, PartyKind
from supplies.models import Balance, Item, LedgerEntry, Party, StockMovement
from tests.factories import (
    CommunityFactory,
    OutsidePartyFactory,
    TeamFactory,
    UserFactory,
    WorkUnitFactory,
)

TODAY = timezone.localdate


def balance(party, item) -> Decimal:
    row = Balance.objects.filter(holder=party, item=item).first()
    return row.quantity if row else Decimal(0)


def hand_out(actor, holder, item, quantity, **extra):
    return services.entry_record(
        actor=actor,
        kind=EntryKind.ISSUE,
        line=services.EntryLine(item=item, quantity=Decimal(quantity)),
        entry_date=extra.pop("entry_date", TODAY()),
        from_party=holder,
        recipient=extra.pop("recipient", "居民"),
        **extra,
    )


def refused_by_database(write) -> str:
    """Runs a write that bypasses the services; returns the database's refusal."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        write()
    return str(refusal.value)


# --- parties ----------------------------------------------------------------------------------


def test_every_area_work_unit_and_team_gets_its_holder_party(county, township, community):
    unit = WorkUnitFactory(county=county)
    team = TeamFactory(county=county)
    kinds = {
        party.kind: party
        for party in Party.objects.filter(
            pk__in=[
                Party.objects.get(area=county).pk,
                Party.objects.get(area=township).pk,
                Party.objects.get(area=community).pk,
                Party.objects.get(work_unit=unit).pk,
                Party.objects.get(team=team).pk,
            ]
        )
    }
    assert set(kinds) == {"county", "township", "community", "work_unit", "team"}
    assert all(party.county_id == county.pk for party in kinds.values())
    assert str(kinds["community"]) == community.name
    assert str(kinds["county"]).startswith(county.name)


def test_an_outside_party_typed_twice_is_one_party(county, county_staff):
    first = services.outside_party(
        actor=county_staff, county=county, kind="individual", name="李潇潇 "
    )
    again = services.outside_party(
        actor=county_staff, county=county, kind="individual", name="李潇潇"
    )
    assert first.pk == again.pk
    assert first.name == "李潇潇"


def test_staff_of_another_county_cannot_add_a_donor_here(county, far_community):
    stranger = UserFactory(role=Role.SECRETARY, area=far_community)
    with pytest.raises(PermissionDenied):
        services.outside_party(actor=stranger, county=county, kind="enterprise", name="某公司")


# --- recording --------------------------------------------------------------------------------


def test_a_donation_in_cases_is_counted_in_bottles(
    secretary, community, donor, disinfectant, party_of
):
    entry = services.entry_record(
        actor=secretary,
        kind=EntryKind.DONATION,
        line=services.EntryLine(item=disinfectant, packs=Decimal(5)),
        entry_date=TODAY(),
        from_party=donor,
        to_party=party_of(community),
    )
    assert entry.quantity == 100
    assert entry.packs == 5
    assert entry.number == 1
    assert entry.voucher == f"{TODAY().year}-000001"
    assert balance(party_of(community), disinfectant) == 100


def test_packs_that_disagree_with_the_units_given_are_refused(
    secretary, community, donor, disinfectant, party_of
):
    with pytest.raises(ValidationError) as error:
        services.entry_record(
            actor=secretary,
            kind=EntryKind.DONATION,
            line=services.EntryLine(item=disinfectant, packs=Decimal(2), quantity=Decimal(30)),
            entry_date=TODAY(),
            from_party=donor,
            to_party=party_of(community),
        )
    assert "40" in str(error.value)
    assert not LedgerEntry.objects.exists()


def test_a_fraction_of_a_bottle_is_refused_never_rounded(
    secretary, community, donor, disinfectant, party_of
):
    with pytest.raises(ValidationError) as error:
        services.entry_record(
            actor=secretary,
            kind=EntryKind.DONATION,
            line=services.EntryLine(item=disinfectant, packs=Decimal("0.33")),
            entry_date=TODAY(),
            from_party=donor,
            to_party=party_of(community),
        )
    assert "quantity" in error.value.message_dict
    assert not LedgerEntry.objects.exists()


def test_the_database_refuses_a_fraction_of_goods(
    admin_user, community, donor, disinfectant, party_of
):
    message = refused_by_database(
        lambda: LedgerEntry.objects.create(
            county=community.parent.parent,
            entry_date=TODAY(),
            kind=EntryKind.DONATION,
            item=disinfectant,
            quantity=Decimal("1.5"),
            from_party=donor,
            to_party=party_of(community),
            recorded_by=admin_user,
        )
    )
    assert "whole units" in message


def test_items_without_packs_cannot_be_entered_in_packs(secretary, community, donor, party_of):
    masks = Item.objects.create(name="口罩", category="protection", unit="ge")
    with pytest.raises(ValidationError) as error:
        services.entry_record(
            actor=secretary,
            kind=EntryKind.DONATION,
            line=services.EntryLine(item=masks, packs=Decimal(3)),
            entry_date=TODAY(),
            from_party=donor,
            to_party=party_of(community),
        )
    assert "packs" in error.value.message_dict


def test_cash_is_counted_in_yuan_with_cents_and_no_estimated_value(
    county_staff, county, donor, money, party_of
):
    entry = services.entry_record(
        actor=county_staff,
        kind=EntryKind.DONATION,
        line=services.EntryLine(item=money, quantity=Decimal("650000.50")),
        entry_date=TODAY(),
        from_party=donor,
        to_party=party_of(county),
    )
    assert balance(party_of(county), money) == Decimal("650000.50")
    with pytest.raises(ValidationError) as error:
        services.entry_record(
            actor=county_staff,
            kind=EntryKind.DONATION,
            line=services.EntryLine(item=money, quantity=Decimal(10), value=Decimal(10)),
            entry_date=TODAY(),
            from_party=donor,
            to_party=party_of(county),
        )
    assert "value" in error.value.message_dict
    assert LedgerEntry.objects.get() == entry


def test_a_date_in_the_future_is_refused(secretary, community, donor, disinfectant, party_of):
    with pytest.raises(ValidationError) as error:
        services.entry_record(
            actor=secretary,
            kind=EntryKind.DONATION,
            line=services.EntryLine(item=disinfectant, quantity=Decimal(1)),
            entry_date=TODAY() + timedelta(days=1),
            from_party=donor,
            to_party=party_of(community),
        )
    assert "entry_date" in error.value.message_dict


def test_a_secretary_keeps_only_their_own_communitys_books(
    secretary, other_community, donor, disinfectant, party_of
):
    with pytest.raises(PermissionDenied):
        services.entry_record(
            actor=secretary,
            kind=EntryKind.DONATION,
            line=services.EntryLine(item=disinfectant, quantity=Decimal(1)),
            entry_date=TODAY(),
            from_party=donor,
            to_party=party_of(other_community),
        )


def test_a_team_records_what_it_coordinated_for_a_covered_community(
    team_member, team, community, disinfectant, party_of
):
    entry = services.entry_record(
        actor=team_member,
        kind=EntryKind.COORDINATION,
        line=services.EntryLine(item=disinfectant, quantity=Decimal(40)),
        entry_date=TODAY(),
        to_party=party_of(community),
        team=team,
    )
    assert balance(party_of(community), disinfectant) == 40
    assert LedgerEntry.objects.visible_to(team_member).filter(pk=entry.pk).exists()


def test_goods_cannot_be_received_into_the_ledger_by_an_enterprise(
    admin_user, county, donor, disinfectant, party_of
):
    other = OutsidePartyFactory(county=county)
    with pytest.raises(ValidationError) as error:
        services.entry_record(
            actor=admin_user,
            kind=EntryKind.TRANSFER,
            line=services.EntryLine(item=disinfectant, quantity=Decimal(1)),
            entry_date=TODAY(),
            from_party=party_of(county),
            to_party=other,
        )
    assert "to_party" in error.value.message_dict


def test_a_party_of_another_county_is_refused(
    admin_user, community, far_community, disinfectant, party_of
):
    stranger = OutsidePartyFactory(county=far_community.parent.parent)
    with pytest.raises(ValidationError) as error:
        services.entry_record(
            actor=admin_user,
            kind=EntryKind.DONATION,
            line=services.EntryLine(item=disinfectant, quantity=Decimal(1)),
            entry_date=TODAY(),
            from_party=stranger,
            to_party=party_of(community),
        )
    assert "from_party" in error.value.message_dict
    message = refused_by_database(
        lambda: LedgerEntry.objects.create(
            county=community.parent.parent,
            entry_date=TODAY(),
            kind=EntryKind.DONATION,
            item=disinfectant,
            quantity=1,
            from_party=stranger,
            to_party=party_of(community),
            recorded_by=admin_user,
        )
    )
    assert "another county" in message


# --- balances ---------------------------------------------------------------------------------


def test_handing_out_more_than_is_held_is_refused_with_the_balance(
    secretary, community, disinfectant, party_of, give_stock
):
    give_stock(community, disinfectant, 30)
    holder = party_of(community)
    with pytest.raises(ValidationError) as error:
        hand_out(secretary, holder, disinfectant, 31)
    assert "30" in error.value.message_dict["quantity"][0]
    assert LedgerEntry.objects.count() == 1
    assert balance(holder, disinfectant) == 30
    assert hand_out(secretary, holder, disinfectant, 30).number == 2
    assert balance(holder, disinfectant) == 0


def test_the_database_refuses_a_negative_balance(
    admin_user, community, disinfectant, party_of, give_stock
):
    give_stock(community, disinfectant, 5)
    message = refused_by_database(
        lambda: LedgerEntry.objects.create(
            county=community.parent.parent,
            entry_date=TODAY(),
            kind=EntryKind.ISSUE,
            item=disinfectant,
            quantity=6,
            from_party=party_of(community),
            recipient="居民",
            recorded_by=admin_user,
        )
    )
    assert "supplies_balance_not_negative" in message
    assert balance(party_of(community), disinfectant) == 5


def test_a_refused_entry_leaves_no_gap_in_the_vouchers(
    admin_user, community, disinfectant, party_of, give_stock
):
    give_stock(community, disinfectant, 5)
    refused_by_database(
        lambda: LedgerEntry.objects.create(
            county=community.parent.parent,
            entry_date=TODAY(),
            kind=EntryKind.ISSUE,
            item=disinfectant,
            quantity=6,
            from_party=party_of(community),
            recipient="居民",
            recorded_by=admin_user,
        )
    )
    entry = hand_out(admin_user, party_of(community), disinfectant, 5)
    assert entry.number == 2


def test_vouchers_count_per_county_and_per_year(
    admin_user, community, far_community, disinfectant, party_of, give_stock
):
    far_donor = OutsidePartyFactory(county=far_community.parent.parent)
    first = give_stock(community, disinfectant, 1)
    second = give_stock(community, disinfectant, 1)
    far = give_stock(far_community, disinfectant, 1, from_party=far_donor)
    last_year = give_stock(community, disinfectant, 1, entry_date=date(TODAY().year - 1, 12, 31))
    assert (first.number, second.number, far.number) == (1, 2, 1)
    assert (last_year.year, last_year.number) == (TODAY().year - 1, 1)


def test_a_transfer_moves_both_balances_and_the_stock_cards_run(
    township_staff, township, community, disinfectant, party_of, give_stock
):
    give_stock(township, disinfectant, 100)
    services.entry_record(
        actor=township_staff,
        kind=EntryKind.TRANSFER,
        line=services.EntryLine(item=disinfectant, packs=Decimal(2)),
        entry_date=TODAY(),
        from_party=party_of(township),
        to_party=party_of(community),
    )
    hand_out(township_staff, party_of(community), disinfectant, 15)
    assert balance(party_of(township), disinfectant) == 60
    assert balance(party_of(community), disinfectant) == 25
    card = StockMovement.objects.filter(holder=party_of(community)).order_by("id")
    assert [(m.quantity, m.balance_after) for m in card] == [(40, 40), (-15, 25)]


# --- append-only ------------------------------------------------------------------------------


def test_an_entry_is_never_changed_or_deleted(
    admin_user, community, disinfectant, party_of, give_stock
):
    entry = give_stock(community, disinfectant, 10)
    assert "never changed" in refused_by_database(
        lambda: LedgerEntry.objects.filter(pk=entry.pk).update(quantity=1)
    )
    assert "never changed" in refused_by_database(
        lambda: LedgerEntry.objects.filter(pk=entry.pk)._raw_delete(connection.alias)
    )

    def raw_sql():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE supplies_ledgerentry SET note = 'x' WHERE id = %s", [entry.pk])

    assert "never changed" in refused_by_database(raw_sql)
    entry.refresh_from_db()
    assert (entry.quantity, entry.note) == (10, "")


def test_balances_and_stock_cards_are_written_by_the_ledger_only(
    community, disinfectant, party_of, give_stock
):
    give_stock(community, disinfectant, 10)
    holder = party_of(community)
    assert "written by the ledger" in refused_by_database(
        lambda: Balance.objects.filter(holder=holder).update(quantity=1000)
    )
    assert "written by the ledger" in refused_by_database(
        lambda: Balance.objects.create(
            holder=party_of(community.parent),
            item=disinfectant,
            quantity=5,
            updated_at=timezone.now(),
        )
    )
    assert "never changed" in refused_by_database(
        lambda: StockMovement.objects.filter(holder=holder).update(balance_after=1)
    )
    assert balance(holder, disinfectant) == 10


# --- reversals --------------------------------------------------------------------------------


def test_a_mistaken_hand_out_is_reversed_and_both_stay(
    secretary, community, disinfectant, party_of, give_stock
):
    give_stock(community, disinfectant, 50)
    mistake = hand_out(secretary, party_of(community), disinfectant, 20)
    reversal = services.entry_reverse(actor=secretary, entry=mistake, note="数量录错")
    assert balance(party_of(community), disinfectant) == 50
    assert reversal.reverses == mistake
    assert reversal.number == mistake.number + 1
    assert LedgerEntry.objects.filter(pk__in=[mistake.pk, reversal.pk]).count() == 2
    with pytest.raises(ValidationError) as twice:
        services.entry_reverse(actor=secretary, entry=mistake, note="again")
    assert reversal.voucher in str(twice.value)
    with pytest.raises(ValidationError):
        services.entry_reverse(actor=secretary, entry=reversal, note="undo the undo")


def test_a_reversal_needs_a_reason(secretary, community, disinfectant, party_of, give_stock):
    give_stock(community, disinfectant, 1)
    mistake = hand_out(secretary, party_of(community), disinfectant, 1)
    with pytest.raises(ValidationError) as error:
        services.entry_reverse(actor=secretary, entry=mistake, note="  ")
    assert "note" in error.value.message_dict


def test_a_donation_already_handed_out_cannot_be_reversed(
    secretary, community, disinfectant, party_of, give_stock
):
    donation = give_stock(community, disinfectant, 10)
    hand_out(secretary, party_of(community), disinfectant, 8)
    with pytest.raises(ValidationError) as error:
        services.entry_reverse(actor=secretary, entry=donation, note="错了")
    assert "2" in error.value.message_dict["quantity"][0]
    assert balance(party_of(community), disinfectant) == 2


def test_the_database_refuses_a_reversal_that_does_not_repeat_its_entry(
    admin_user, community, disinfectant, party_of, give_stock
):
    donation = give_stock(community, disinfectant, 10)
    message = refused_by_database(
        lambda: LedgerEntry.objects.create(
            county=donation.county,
            entry_date=TODAY(),
            kind=donation.kind,
            item=disinfectant,
            quantity=3,
            from_party=donation.from_party,
            to_party=donation.to_party,
            reverses=donation,
            recorded_by=admin_user,
        )
    )
    assert "repeats the entry" in message


def test_another_communitys_secretary_cannot_reverse(
    other_secretary, community, disinfectant, give_stock
):
    donation = give_stock(community, disinfectant, 10)
    with pytest.raises(PermissionDenied):
        services.entry_reverse(actor=other_secretary, entry=donation, note="x")


# --- scope ------------------------------------------------------------------------------------


def test_each_sees_the_ledger_of_the_books_they_keep(
    secretary,
    other_secretary,
    township_staff,
    county_staff,
    community,
    other_community,
    far_community,
    disinfectant,
    give_stock,
):
    mine = give_stock(community, disinfectant, 1)
    theirs = give_stock(other_community, disinfectant, 1)
    far = give_stock(
        far_community,
        disinfectant,
        1,
        from_party=OutsidePartyFactory(county=far_community.parent.parent),
    )

    def seen(user):
        return set(LedgerEntry.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(secretary) == {mine.pk}
    assert seen(other_secretary) == {theirs.pk}
    assert seen(township_staff) == seen(county_staff) == {mine.pk, theirs.pk}
    assert far.pk not in seen(county_staff)
    assert set(Balance.objects.visible_to(secretary).values_list("holder__area", flat=True)) == {
        community.pk
    }


def test_unit_staff_keep_their_units_books(
    unit_staff, work_unit, disinfectant, party_of, give_stock
):
    give_stock(work_unit, disinfectant, 5)
    entry = hand_out(unit_staff, party_of(work_unit), disinfectant, 2)
    assert list(LedgerEntry.objects.visible_to(unit_staff).filter(kind=EntryKind.ISSUE)) == [entry]
    assert Party.objects.held_by(unit_staff).get().kind == PartyKind.WORK_UNIT


# --- catalogue --------------------------------------------------------------------------------


def test_an_item_in_the_ledger_keeps_its_pack(
    admin_user, county_staff, community, disinfectant, give_stock
):
    give_stock(community, disinfectant, 1)
    disinfectant.pack_size = 24
    with pytest.raises(ValidationError):
        services.item_save(actor=admin_user, item=disinfectant)
    with pytest.raises(PermissionDenied):
        services.item_save(
            actor=county_staff, item=Item(name="大衣", category="living", unit="jian")
        )
    disinfectant.refresh_from_db()
    assert disinfectant.pack_size == 20


def test_a_community_of_a_new_township_gets_its_party_in_the_right_county(township):
    community = CommunityFactory(parent=township)
    assert Party.objects.get(area=community).county_id == township.parent_id


def test_a_date_before_the_ledger_began_is_refused(
    secretary, community, donor, disinfectant, party_of
):
    with pytest.raises(ValidationError) as error:
        services.entry_record(
            actor=secretary,
            kind=EntryKind.DONATION,
            line=services.EntryLine(item=disinfectant, quantity=Decimal(1)),
            entry_date=date(1, 1, 1),
            from_party=donor,
            to_party=party_of(community),
        )
    assert "2000" in error.value.message_dict["entry_date"][0]
    assert not LedgerEntry.objects.exists()


def test_a_team_cannot_bring_coordinated_goods_where_it_does_not_cover(
    team_member, team, far_community, disinfectant, party_of
):
    with pytest.raises((PermissionDenied, ValidationError)):
        services.entry_record(
            actor=team_member,
            kind=EntryKind.COORDINATION,
            line=services.EntryLine(item=disinfectant, quantity=Decimal(1)),
            entry_date=TODAY(),
            to_party=party_of(far_community),
            team=team,
        )
    assert not LedgerEntry.objects.exists()
