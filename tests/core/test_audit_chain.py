"""The audit trail: every service change leaves a chained entry; tampering is found and named."""

import pytest

from duban.core import audit, services
from duban.core.choices import UnitKind
from duban.core.models import AuditEntry
from tests.conftest import SYSTEM, behind_the_apps_back

pytestmark = pytest.mark.django_db


def make_history(county, n=4):
    actor = county.client  # noqa: F841 - the county fixture only seeds the tree
    for i in range(n):
        services.create_unit(SYSTEM, name=f"测试单位{i}", kind=UnitKind.DEPARTMENT)


def test_a_service_change_writes_one_entry_with_before_and_after(county):
    unit = services.create_unit(SYSTEM, name="县统计局", kind=UnitKind.DEPARTMENT)
    services.update_unit(SYSTEM, unit, short_name="统计局")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "unit.update"
    assert entry.object_type == "core.Unit" and entry.object_id == str(unit.pk)
    assert entry.before["short_name"] == "" and entry.after["short_name"] == "统计局"
    assert entry.actor_name == "tests"
    assert audit.verify().ok


def test_verify_names_an_entry_changed_by_raw_sql(county):
    make_history(county)
    with behind_the_apps_back() as cur:
        cur.execute("UPDATE core_auditentry SET object_repr = 'forged' WHERE seq = 2")
    result = audit.verify()
    assert not result.ok and result.bad_seq == 2
    assert "第 2 条" in result.problem and "改动" in result.problem


def test_verify_names_a_deleted_entry(county):
    make_history(county)
    with behind_the_apps_back() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE seq = 3")
    result = audit.verify()
    assert not result.ok and result.bad_seq == 3
    assert "第 3 条" in result.problem and "删除" in result.problem


def test_verify_names_swapped_entries(county):
    make_history(county)
    with behind_the_apps_back() as cur:
        cur.execute("UPDATE core_auditentry SET seq = -1 WHERE seq = 2")
        cur.execute("UPDATE core_auditentry SET seq = 2 WHERE seq = 3")
        cur.execute("UPDATE core_auditentry SET seq = 3 WHERE seq = -1")
    result = audit.verify()
    assert not result.ok and result.bad_seq == 2


def test_a_saved_head_notices_a_chain_cut_short(county):
    make_history(county)
    seq, digest = audit.current_head()
    saved = audit.format_head(seq, digest)
    assert audit.verify(saved).ok
    with behind_the_apps_back() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE seq = %s", [seq])
        cur.execute("UPDATE core_audithead SET seq = %s, hash = (SELECT hash FROM core_auditentry WHERE seq = %s)", [seq - 1, seq - 1])
    assert audit.verify().ok  # the chain alone looks whole ...
    result = audit.verify(saved)
    assert not result.ok and "截短" in result.problem  # ... but not against the head kept elsewhere
