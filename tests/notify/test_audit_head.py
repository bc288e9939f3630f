"""Every night the audit chain's head is verified, kept in the head log and sent to each audit admin (SPEC §9)."""

from __future__ import annotations

import pytest
from django.core import mail

from duban.core import audit, jobs, services
from duban.core.actor import Actor
from duban.core.choices import Role, UnitKind
from duban.core.models import JobRun
from duban.notify import tasks
from duban.notify.models import Notification
from tests.conftest import SYSTEM, behind_the_apps_back, make_person
from tests.notify.conftest import at

MIDNIGHT = "2026-03-12 00:05"


@pytest.fixture
def auditors(county, email_on):
    first = county.people["auditadmin"]
    first.email = "wei@xinxi.example.gov.cn"
    first.save()
    second = make_person("auditadmin2", county.units["it"], Role.AUDITADMIN, full_name="蒋审计")
    retired = make_person("auditadmin3", county.units["it"], Role.AUDITADMIN, full_name="沈审计")
    retired.is_active = False
    retired.save()
    return [first, second]


def changes(n):
    for i in range(n):
        services.create_unit(SYSTEM, name=f"县第{i}局", kind=UnitKind.DEPARTMENT)


def test_the_nightly_job_keeps_the_head_and_sends_it_to_every_active_audit_admin(county, auditors, committed, time_machine):
    changes(3)
    slot = at(time_machine, MIDNIGHT)

    assert committed(tasks.audit_head_job.call_local, slot=slot.isoformat()) is True

    head = audit.format_head(*audit.current_head())
    kept = audit.newest_kept_head()
    assert (kept.source, audit.format_head(kept.seq, kept.hash), kept.at) == ("daily", head, slot)
    notes = Notification.objects.filter(kind="audit.head").order_by("recipient_id")
    assert [n.recipient for n in notes] == auditors
    note = notes[0]
    assert note.title == "审计链头 2026-03-12 00:05" and not note.urgent and note.url == "/manage/audit/"
    assert f"共 3 条记录。当前链头：\n\n{head}\n\n" in note.body
    assert JobRun.objects.get(name="notify.audit_head").message == f"链头 #{kept.seq} 已保存，通知审计管理员 2 人"
    assert mail.outbox == []  # at midnight the e-mail waits for the working morning's digest, like every push
    # Nobody else hears of it: the head is the audit admins' (三员分立).
    assert not Notification.objects.exclude(recipient__in=auditors).filter(kind="audit.head").exists()


def test_a_tail_cut_after_yesterdays_head_is_reported_urgently_and_not_kept(county, auditors, committed, time_machine):
    changes(4)
    at(time_machine, "2026-03-11 00:05")
    committed(tasks.audit_head_job.call_local, slot="2026-03-11T00:05:00+08:00")
    yesterday = audit.newest_kept_head()
    with behind_the_apps_back() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE seq > 2")
        cur.execute("UPDATE core_audithead SET seq = 2, hash = (SELECT hash FROM core_auditentry WHERE seq = 2)")
    at(time_machine, MIDNIGHT)

    committed(tasks.audit_head_job.call_local, slot=at(time_machine, MIDNIGHT).isoformat())

    assert audit.newest_kept_head() == yesterday  # the damage does not become the new reference
    warning = Notification.objects.filter(kind="audit.head", title="审计链校验未通过").get(recipient=auditors[0])
    assert warning.urgent and "截短" in warning.body and "本次未保存链头" in warning.body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wei@xinxi.example.gov.cn"]  # urgent: pushed at once


def test_the_job_is_listed_for_the_system_admin_with_its_schedule():
    job = jobs.get_job("notify.audit_head")
    assert (job.title, job.schedule.describe()) == ("每天零点校验审计链，保存链头并发给审计管理员", "每天 00:05")


def test_the_audit_page_says_which_kept_head_verify_uses(county):
    changes(2)
    audit.keep_head("daily")
    page = county.client("auditadmin").get("/manage/audit/").content.decode()
    assert "不填链头时，校验以最近保存的一条为准" in page and "每日保存的链头 #2" in page
    assert services.verify_audit_chain(Actor(user=county.people["auditadmin"])).ok
