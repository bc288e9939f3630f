"""audit.record_many: many entries under one lock of the chain's head, each exactly as record() would write it,
and a chain that stays whole when record() appends from another connection at the same time."""

import datetime as dt
import time

import pytest
from django.db import transaction

from duban.core import audit
from duban.core.actor import Actor
from duban.core.models import AuditEntry, AuditHead, Unit
from tests.ledger.test_concurrency import connections_that_wait, race  # noqa: F401 - a fixture, used by name

FORM = [f.attname for f in AuditEntry._meta.concrete_fields if f.attname not in {"id", "seq", "at", "prev_hash", "hash"}]


def form(entry: AuditEntry) -> dict:
    entry = AuditEntry.objects.get(pk=entry.pk)
    return {name: getattr(entry, name) for name in FORM}


@pytest.mark.django_db
def test_each_entry_is_the_one_record_would_write(county):
    actor = Actor(user=county.people["supervision"], ip="10.0.0.8")
    unit = county.units["ndrc"]
    kinds = [
        dict(action="unit.update", obj=unit, before={"name": "甲"}, after={"name": "乙", "on": dt.date(2026, 6, 1), "ids": {3, 1}}),
        dict(action="ledger.import", obj=None, after={"created": 3}, message="导入" * 200, object_type="ledger.Campaign", object_id="7",
             object_repr="x" * 300),
        dict(action="user.sign_in", outcome="failure", message="密码错误"),
    ]
    singly = [audit.record(actor, k["action"], k.get("obj"), **{n: v for n, v in k.items() if n not in {"action", "obj"}}) for k in kinds]
    many = audit.record_many(actor, kinds)
    assert [form(e) for e in many] == [form(e) for e in singly]
    assert [e.seq for e in many] == [singly[-1].seq + 1, singly[-1].seq + 2, singly[-1].seq + 3]
    assert many[0].prev_hash == singly[-1].hash and many[1].prev_hash == many[0].hash
    assert AuditHead.objects.values_list("seq", "hash").get(pk=1) == (many[-1].seq, many[-1].hash)
    assert audit.verify().ok


@pytest.mark.django_db
def test_nothing_to_record_changes_nothing_and_the_chain_can_start_with_many(county):
    assert audit.record_many(Actor.system("tests"), []) == []
    assert not AuditEntry.objects.exists()
    AuditHead.objects.all().delete()
    entries = audit.record_many(Actor.system("tests"), ({"action": f"test.{i}"} for i in range(3)))
    assert [e.seq for e in entries] == [1, 2, 3] and entries[0].prev_hash == audit.GENESIS
    audit.record(Actor.system("tests"), "test.after")
    result = audit.verify()
    assert result.ok and result.checked == 4


@pytest.mark.django_db
def test_a_transaction_rolled_back_takes_its_entries_with_it(county):
    audit.record(Actor.system("tests"), "test.before")  # the fixture county was built without entries
    head = audit.current_head()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record_many(Actor.system("tests"), [{"action": "test.lost"}] * 5)
        raise RuntimeError
    assert audit.current_head() == head and not AuditEntry.objects.filter(action="test.lost").exists()
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_record_many_and_record_from_two_connections_never_break_the_chain(connections_that_wait, county):
    """One connection appends 300 entries in one transaction (and keeps it open a moment, as an import does)
    while the other appends 40 entries one transaction each: every entry lands once, in a whole chain,
    and the 300 are consecutive (the head was locked for all of them)."""
    unit = Unit.objects.get(pk=county.units["ndrc"].pk)
    started = audit.current_head()[0]

    def bulk():
        with transaction.atomic():
            entries = audit.record_many(Actor.system("import"), [{"action": "test.bulk", "obj": unit, "after": {"n": i}} for i in range(300)])
            time.sleep(0.3)  # still holding the head: the other writer must wait, not fork the chain
        return [e.seq for e in entries]

    def singles():
        seqs = []
        for i in range(40):
            seqs.append(audit.record(Actor.system("web"), "test.single", unit, after={"n": i}).seq)
            if i == 5:
                time.sleep(0.05)
        return seqs

    results = race(bulk, singles)
    assert not any(isinstance(r, Exception) for r in results), results
    bulk_seqs, single_seqs = results
    assert bulk_seqs == list(range(bulk_seqs[0], bulk_seqs[0] + 300))
    assert sorted(bulk_seqs + single_seqs) == list(range(started + 1, started + 341))
    assert AuditEntry.objects.filter(action="test.bulk").count() == 300
    assert AuditEntry.objects.filter(action="test.single").count() == 40
    result = audit.verify()
    assert result.ok, result.problem
    assert result.head_seq == started + 340


@pytest.mark.django_db(transaction=True)
def test_two_bulk_writers_at_once_each_get_a_consecutive_run(connections_that_wait, county):
    started = audit.current_head()[0]
    def writer(name):
        return lambda: [e.seq for e in audit.record_many(Actor.system(name), [{"action": f"test.{name}"}] * 200)]

    one, two = race(writer("one"), writer("two"))
    assert not isinstance(one, Exception) and not isinstance(two, Exception), (one, two)
    for seqs in (one, two):
        assert seqs == list(range(seqs[0], seqs[0] + 200))
    assert sorted(one + two) == list(range(started + 1, started + 401))
    assert audit.verify().ok
