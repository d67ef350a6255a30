"""The name+address-book rule on generated records: a chat sender shown by name is the owner's one contact
card of that name, and nothing else. The oracle is the rule's statement, checked case by case."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.identity import NAME_FROM_ADDRESS_BOOK, Overrides, ResolveSettings, resolve
from reach.schema import RECORDS, conform

CHLOE, BEN = "chloe@northwind.example", "ben@northwind.example"


def build(cards: list[tuple[str, str, str]], *, chat_name: str = "Grace Lee", chat_owner: str = CHLOE) -> pa.Table:
    """Owner records for each source, the cards ``(source, owner, phone)`` named ``Grace Lee``, and one chat
    sender ``chat_name`` in a WhatsApp source of ``chat_owner``. Returns RECORDS."""
    rows, owners = [], {}
    for src, owner, _ in [*cards, ("chat", chat_owner, "")]:
        owners.setdefault(src, owner)
    for src, owner in owners.items():
        rows.append({"source_id": src, "role": "owner", "owner": owner, "display_name": owner, "emails": [owner]})
    for src, _, phone in cards:
        rows.append({"source_id": src, "role": "contact", "display_name": "Grace Lee", "phones": [phone]})
    rows.append({"source_id": "chat", "role": "party", "display_name": chat_name, "attributes": NAME_FROM_ADDRESS_BOOK})
    for i, r in enumerate(rows):
        r.update(record_id=i, line=i + 1)
    return conform(pa.Table.from_pylist(rows, schema=RECORDS), RECORDS)


def chat_joins_card(table: pa.Table, **kw) -> bool:
    res = resolve(table, settings=ResolveSettings(**kw))
    m = pl.from_arrow(res["membership"]).join(
        pl.from_arrow(table).select("record_id", "role", "source_id"), on="record_id"
    )
    chat = m.filter(pl.col("source_id") == "chat", pl.col("role") == "party")["person_id"].item()
    return chat in set(m.filter(pl.col("role") == "contact")["person_id"].to_list())


def test_the_owners_one_card_of_that_name_takes_the_chat_sender():
    assert chat_joins_card(build([("iphone", CHLOE, "+1 202 555 0142")]))
    # the same person on two cards (one phone) is still one card holder
    assert chat_joins_card(build([("iphone", CHLOE, "+1 202 555 0142"), ("outlook", CHLOE, "+1 202 555 0142")]))


def test_two_people_with_that_name_in_the_owners_cards_link_nothing():
    assert not chat_joins_card(build([("iphone", CHLOE, "+1 202 555 0142"), ("outlook", CHLOE, "+1 202 555 0199")]))


def test_a_card_in_another_owners_export_is_not_the_phones_address_book():
    assert not chat_joins_card(build([("ben-contacts", BEN, "+1 202 555 0142")]))


def test_the_rule_can_be_turned_off_or_undone():
    t = build([("iphone", CHLOE, "+1 202 555 0142")])
    assert not chat_joins_card(t, name_address_book=False)
    assert not chat_joins_card(t, overrides=Overrides(ignore=("name+address-book:grace lee",)))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["iphone", "outlook", "ben-contacts"]), st.sampled_from(["0142", "0199"])),
        max_size=4,
    )
)
def test_generated_address_books(cards):
    """Brute force: linked exactly when Chloé's own cards named Grace Lee hold one phone number."""
    owner = {"iphone": CHLOE, "outlook": CHLOE, "ben-contacts": BEN}
    table = build([(s, owner[s], f"+1 202 555 {p}") for s, p in cards])
    chloes_people = {p for s, p in cards if owner[s] == CHLOE}
    # Ben's cards share phones with Chloé's only by number: a number on both is one person, still one holder
    assert chat_joins_card(table) == (len(chloes_people) == 1)
