"""Every action form through HTTP: the happy path, and a refused path that changes nothing."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from duban.core.models import Attachment
from duban.ledger import services
from duban.ledger.choices import RequestState, TaskState
from duban.ledger.models import CompletionRequest, ExtensionRequest, ProgressReport, ReassignRequest, Task
from tests.ledger.conftest import as_actor

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="现场照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="验收报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def url(task, action):
    return f"/ledger/tasks/{task.code}/{action}/"


def fresh(task):
    return Task.objects.get(pk=task.pk)


def state_of(task):
    """What a refused action must leave as it was."""
    t = fresh(task)
    return (t.state, t.version, t.progress, t.due_date, t.lead_unit_id, t.paused_since, t.events.count())


def assert_done(response, task):
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == f"/ledger/tasks/{task.code}/"


def text(response):
    return response.content.decode()


@pytest.fixture
def office(county):
    return county.client("supervision")


@pytest.fixture
def head(county):
    return county.client("unit_head")


@pytest.fixture
def signed(county, make_task):
    task = make_task(report_cycle="monthly:25")
    services.sign_task(as_actor(county.people["unit_head"]), task)
    return fresh(task)


@pytest.fixture
def requested(county, signed):
    services.request_completion(as_actor(county.people["unit_head"]), signed, summary="三项标准均已完成", no_evidence_reason="已现场核验")
    return fresh(signed)


# --- 建账 / 修改 / 立账 ---------------------------------------------------------------------------


def task_form(county, campaign, **overrides):
    data = {
        "campaign": campaign.pk, "front": campaign.fronts.first().pk, "title": "新建产业园区道路",
        "standard": "完成设计\n完成招标\n开工建设", "assigning_leader": county.people["principal"].pk,
        "leader_in_charge": county.people["leader"].pk, "lead_unit": county.units["transport"].pk,
        "cooperating_units": [county.units["ndrc"].pk, county.units["chengguan"].pk],
        "responsible_person": county.people["unit_head"].pk, "responsible_name": "",
        "start_date": "2026-03-01", "due_date": "2026-12-31", "deadline_text": "2026年12月底前",
        "report_cycle": "monthly:25", "reward_penalty": "按期完成加1分", "source": "meeting", "source_ref": "县委常委会",
    }
    data.update(overrides)
    return data


def test_the_office_opens_a_draft_with_the_five_clarities(county, campaign, office):
    response = office.post("/ledger/tasks/new/", task_form(county, campaign))
    task = Task.objects.get(title="新建产业园区道路")
    assert_done(response, task)
    assert task.state == TaskState.DRAFT and task.code == "2026-0001"
    assert task.standard_items == ["完成设计", "完成招标", "开工建设"] and task.due_date == dt.date(2026, 12, 31)
    assert task.report_cycle == "monthly:25" and task.lead_unit == county.units["transport"]
    assert set(task.cooperating_units.values_list("name", flat=True)) == {"县发展和改革局", "城关镇"}


def test_a_front_of_another_campaign_is_refused_on_its_field(county, campaign, office):
    from duban.ledger.models import Campaign, Front

    other = Campaign.objects.create(name="2025年专项行动", year=2025)
    front = Front.objects.create(campaign=other, number=1, name="旧战线")
    response = office.post("/ledger/tasks/new/", task_form(county, campaign, front=front.pk))
    assert response.status_code == 200
    assert re.search(r'data-testid="error-front">[^<]*不属于', text(response))
    assert not Task.objects.exists()


def test_a_deadline_wording_with_a_slip_is_refused_on_its_field_with_the_likely_reading(county, campaign, office):
    response = office.post("/ledger/tasks/new/", task_form(county, campaign, deadline_text="20261月20日"))
    assert response.status_code == 200
    assert re.search(r'data-testid="error-deadline_text">[^<]*是否指“2026年1月20日”？', text(response))
    assert not Task.objects.exists()  # shown, never applied


def test_a_status_word_is_refused_as_no_deadline_and_a_readable_wording_is_kept(county, campaign, office):
    refused = office.post("/ledger/tasks/new/", task_form(county, campaign, deadline_text="已完成"))
    assert re.search(r'data-testid="error-deadline_text">[^<]*是完成情况（工作进展），不是完成时限', text(refused))
    assert not Task.objects.exists()
    office.post("/ledger/tasks/new/", task_form(county, campaign, deadline_text="每季度末（分别在3月25日、6月25日、9月25日、12月25日前）"))
    assert Task.objects.get().deadline_text == "每季度末（分别在3月25日、6月25日、9月25日、12月25日前）"


def test_an_edit_that_keeps_an_old_unreadable_wording_is_not_refused(county, office, signed):
    Task.objects.filter(pk=signed.pk).update(deadline_text="按省厅要求")  # typed before wordings were read
    data = task_form(county, signed.campaign, title="完成国道改线工程征地拆迁（调整）", version=signed.version,
                     deadline_text="按省厅要求")
    data.pop("campaign")
    assert_done(office.post(f"/ledger/tasks/{signed.code}/edit/", data), signed)
    assert fresh(signed).title == "完成国道改线工程征地拆迁（调整）"


def test_a_liaison_cannot_open_a_ledger(county, campaign):
    client = county.client("liaison")
    assert client.get("/ledger/tasks/new/").status_code == 403
    assert client.post("/ledger/tasks/new/", task_form(county, campaign)).status_code == 403
    assert not Task.objects.exists()


def test_the_office_edits_a_task(county, office, signed):
    data = task_form(county, signed.campaign, title="完成国道改线工程征地拆迁（调整）", version=signed.version)
    data.pop("campaign")
    assert_done(office.post(f"/ledger/tasks/{signed.code}/edit/", data), signed)
    task = fresh(signed)
    assert task.title == "完成国道改线工程征地拆迁（调整）" and task.version == signed.version + 1
    assert task.events.filter(event="edited").count() == 1


def test_a_stale_edit_gets_the_changed_by_someone_else_answer(county, office, signed):
    seen = signed.version
    form = office.get(f"/ledger/tasks/{signed.code}/edit/")
    assert f'name="version" value="{seen}"' in text(form)
    services.report_progress(as_actor(county.people["unit_head"]), fresh(signed), percent=20, text="进展")  # someone else writes
    before = state_of(signed)
    data = task_form(county, signed.campaign, title="我的修改", version=seen)
    data.pop("campaign")
    response = office.post(f"/ledger/tasks/{signed.code}/edit/", data)
    assert response.status_code == 409
    assert "刚被他人修改过" in text(response) and 'data-testid="conflict"' in text(response)
    assert f'href="/ledger/tasks/{signed.code}/"' in text(response)  # the way to the latest version
    assert state_of(signed) == before and fresh(signed).title == "完成国道改线工程征地拆迁"


def test_a_unit_head_may_not_edit(county, head, signed):
    assert head.get(f"/ledger/tasks/{signed.code}/edit/").status_code == 403


def test_register_with_missing_clarities_shows_what_is_missing(county, make_task, office):
    draft = make_task(register=False, reward_penalty="", standard="")
    before = state_of(draft)
    page = office.get(url(draft, "register"))
    assert "五明确尚未填全" in text(page)
    response = office.post(url(draft, "register"), {"version": draft.version})
    assert response.status_code == 200
    assert "五明确未填全，不能立账：缺少标准（怎么干）；奖惩" in text(response)
    assert state_of(draft) == before


def test_the_task_page_offers_register_with_what_is_missing_next_to_the_button(county, make_task, office):
    draft = make_task(register=False, reward_penalty="", standard="")
    page = text(office.get(f"/ledger/tasks/{draft.code}/"))
    actions = page.split('data-testid="actions"', 1)[1].split("</div>", 1)[0]
    assert 'data-action="register"' in actions
    assert re.search(r'data-testid="register-missing">五明确尚未填全，不能立账：缺少标准（怎么干）；奖惩。', actions)
    complete = make_task(register=False, title="五明确齐全的任务")
    assert 'data-testid="register-missing"' not in text(office.get(f"/ledger/tasks/{complete.code}/"))


def test_register_a_complete_draft(county, make_task, office):
    draft = make_task(register=False)
    assert_done(office.post(url(draft, "register"), {"version": draft.version}), draft)
    assert fresh(draft).state == TaskState.ASSIGNED


def test_decompose_into_sub_tasks_per_unit(county, office, signed):
    units = [county.units["ndrc"].pk, county.units["chengguan"].pk]
    response = office.post(url(signed, "decompose"), {"version": signed.version, "units": units, "due_date": "2026-12-20"})
    assert_done(response, signed)
    children = list(Task.objects.filter(parent=signed).order_by("code"))
    assert [c.code for c in children] == [f"{signed.code}-1", f"{signed.code}-2"]
    assert [c.lead_unit.name for c in children] == ["县发展和改革局", "城关镇"]
    assert {c.state for c in children} == {TaskState.ASSIGNED} and {c.due_date for c in children} == {dt.date(2026, 12, 20)}


def test_decompose_from_a_stale_page_is_refused(county, office, signed):
    services.report_progress(as_actor(county.people["unit_head"]), fresh(signed), percent=20, text="进展")
    response = office.post(url(signed, "decompose"), {"version": signed.version, "units": [county.units["ndrc"].pk]})
    assert response.status_code == 409 and "刚被他人修改过" in text(response)
    assert not Task.objects.filter(parent=signed).exists()


# --- 签收 / 报送 / 申请销账 -------------------------------------------------------------------------


def test_the_unit_signs_for_an_assigned_task(county, make_task, head):
    task = make_task()
    assert_done(head.post(url(task, "sign"), {"version": task.version}), task)
    assert fresh(task).state == TaskState.IN_PROGRESS


def test_another_units_liaison_cannot_even_find_it(county, make_task):
    task = make_task()
    before = state_of(task)
    assert county.client("liaison").post(url(task, "sign"), {"version": task.version}).status_code == 404
    assert state_of(task) == before


def test_signing_twice_says_what_is_allowed_now(county, head, signed):
    before = state_of(signed)
    response = head.post(url(signed, "sign"), {"version": signed.version})
    assert response.status_code == 200 and "不能签收" in text(response)
    assert state_of(signed) == before


def test_the_leader_may_not_sign(county, make_task):
    task = make_task()
    before = state_of(task)
    response = county.client("leader").post(url(task, "sign"), {"version": task.version})
    assert response.status_code == 403 and "只有牵头单位的联络员或一把手可以签收" in text(response)
    assert state_of(task) == before


def test_a_report_starts_from_the_last_one(county, head, signed):
    services.report_progress(as_actor(county.people["unit_head"]), signed, percent=35, text="完成补偿协议 80 户",
                             problems="3 户未谈妥", next_steps="县镇两级联合入户")
    page = text(head.get(url(signed, "report")))
    assert 'name="percent" value="35"' in page
    assert "3 户未谈妥</textarea>" in page and "县镇两级联合入户</textarea>" in page
    assert "完成补偿协议 80 户" in page  # shown for reference, the new text is written fresh


def test_report_progress_with_two_attachments(county, head, signed):
    response = head.post(url(signed, "report"), {
        "version": signed.version, "percent": 45, "text": "附着物清点完成一半", "problems": "", "next_steps": "继续清点",
        "attachments": [png(), pdf()],
    })
    assert_done(response, signed)
    report = ProgressReport.objects.get(task=signed)
    assert (report.percent, report.text, report.next_steps) == (45, "附着物清点完成一半", "继续清点")
    files = Attachment.objects.filter(owner_type="ledger.ProgressReport", owner_id=str(report.pk))
    assert sorted(files.values_list("name", flat=True)) == ["现场照片.png", "验收报告.pdf"]
    assert fresh(signed).progress == 45
    page = text(head.get(f"/ledger/tasks/{signed.code}/"))
    assert page.count('data-testid="attachment"') == 2


def test_a_disguised_file_is_refused_and_nothing_is_saved(county, head, signed):
    before = state_of(signed)
    fake = SimpleUploadedFile("照片.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    response = head.post(url(signed, "report"), {"version": signed.version, "percent": 45, "text": "进展", "attachments": [fake]})
    assert response.status_code == 200
    assert re.search(r'data-testid="error-attachments">[^<]*内容与扩展名 .png 不符', text(response))
    assert state_of(signed) == before
    assert not ProgressReport.objects.exists() and not Attachment.objects.exists()


def test_a_percent_over_100_is_refused_on_its_field(county, head, signed):
    before = state_of(signed)
    response = head.post(url(signed, "report"), {"version": signed.version, "percent": 150, "text": "进展"})
    assert response.status_code == 200 and 'data-testid="error-percent"' in text(response)
    assert state_of(signed) == before


def test_a_stale_report_is_refused(county, head, signed):
    client2 = county.client("unit_head")
    head.post(url(signed, "report"), {"version": signed.version, "percent": 20, "text": "第一份"})
    before = state_of(signed)
    response = client2.post(url(signed, "report"), {"version": signed.version, "percent": 30, "text": "第二份（旧页面）"})
    assert response.status_code == 409 and "刚被他人修改过" in text(response)
    assert state_of(signed) == before and ProgressReport.objects.count() == 1


def test_request_completion_with_evidence(county, head, signed):
    response = head.post(url(signed, "request-completion"), {"version": signed.version, "summary": "三项标准均已完成", "attachments": [pdf()]})
    assert_done(response, signed)
    assert fresh(signed).state == TaskState.COMPLETION_REQUESTED
    request = CompletionRequest.objects.get(task=signed)
    assert Attachment.objects.get(owner_type="ledger.CompletionRequest", owner_id=str(request.pk)).name == "验收报告.pdf"


def test_request_completion_without_evidence_or_a_reason_is_refused(county, head, signed):
    before = state_of(signed)
    response = head.post(url(signed, "request-completion"), {"version": signed.version, "summary": "三项标准均已完成"})
    assert response.status_code == 200 and "请上传至少一份佐证材料" in text(response)
    assert state_of(signed) == before and not CompletionRequest.objects.exists()


def test_request_completion_without_files_states_why_and_the_office_reads_it(county, head, signed):
    response = head.post(url(signed, "request-completion"),
                         {"version": signed.version, "summary": "三项标准均已完成", "no_evidence_reason": "已由县领导现场查看"})
    assert_done(response, signed)
    assert CompletionRequest.objects.get(task=signed).no_evidence_reason == "已由县领导现场查看"
    page = text(county.client("supervision").get(url(signed, "close")))
    assert "未附佐证材料，原因：" in page and "已由县领导现场查看" in page


def test_request_completion_without_a_summary_is_refused(county, head, signed):
    before = state_of(signed)
    response = head.post(url(signed, "request-completion"), {"version": signed.version, "summary": ""})
    assert response.status_code == 200 and 'data-testid="error-summary"' in text(response)
    assert state_of(signed) == before


def test_request_completion_with_open_sub_tasks_is_refused(county, head, signed):
    services.decompose_task(as_actor(county.people["supervision"]), signed, [{"lead_unit": county.units["ndrc"]}])
    signed = fresh(signed)
    before = state_of(signed)
    response = head.post(url(signed, "request-completion"), {"version": signed.version, "summary": "完成"})
    assert response.status_code == 200 and "尚未销账" in text(response)
    assert state_of(signed) == before


# --- 销账 / 退回 -----------------------------------------------------------------------------------


def test_the_close_form_is_the_standard_as_a_checklist(county, office, requested):
    page = text(office.get(url(requested, "close")))
    for index, item in enumerate(requested.standard_items):
        assert f'name="item_{index}"' in page and item in page
    assert "三项标准均已完成" in page  # the request under review


def test_close_with_every_item_met(county, office, requested):
    data = {"version": requested.version, "item_0": "on", "item_1": "on", "item_2": "on", "grade": "excellent", "note": "资料齐全"}
    assert_done(office.post(url(requested, "close"), data), requested)
    task = fresh(requested)
    assert task.state == TaskState.CLOSED and task.grade == "excellent" and task.light == "grey"


def test_close_with_an_unmet_item_is_refused(county, office, requested):
    before = state_of(requested)
    data = {"version": requested.version, "item_0": "on", "item_2": "on", "grade": "good"}
    response = office.post(url(requested, "close"), data)
    assert response.status_code == 200 and "以下标准未达到，不能销账" in text(response) and "完成地上附着物清点" in text(response)
    assert state_of(requested) == before


def test_return_with_reasons(county, office, requested):
    data = {"version": requested.version, "item_0": "on", "reason": "附着物清点表未盖章"}
    assert_done(office.post(url(requested, "return"), data), requested)
    task = fresh(requested)
    assert task.state == TaskState.IN_PROGRESS and task.return_count == 1
    decided = CompletionRequest.objects.get(task=task)
    assert decided.state == RequestState.REJECTED and [c["met"] for c in decided.checklist] == [True, False, False]


def test_the_unit_cannot_return_its_own_request(county, head, requested):
    before = state_of(requested)
    response = head.post(url(requested, "return"), {"version": requested.version, "reason": "撤回"})
    assert response.status_code == 403 and "只有县督查室可以退回" in text(response)
    assert state_of(requested) == before


# --- 延期 / 调整 ------------------------------------------------------------------------------------


def test_extension_requested_then_approved_by_the_leader(county, head, signed):
    response = head.post(url(signed, "request-extension"), {"version": signed.version, "new_due": "2027-03-31", "reason": "用地批复未下达"})
    assert_done(response, signed)
    pending = ExtensionRequest.objects.get(task=signed)
    task = fresh(signed)
    leader = county.client("leader")
    decide = f"/ledger/tasks/{task.code}/extensions/{pending.pk}/"
    assert "用地批复未下达" in text(leader.get(decide))
    assert_done(leader.post(decide, {"version": task.version, "decision": "approve", "note": "同意"}), task)
    task = fresh(task)
    assert task.due_date == dt.date(2027, 3, 31) and task.deadline_cycle == 2
    assert ExtensionRequest.objects.get(pk=pending.pk).state == RequestState.APPROVED


def test_an_extension_to_an_earlier_date_is_refused_on_its_field(county, head, signed):
    before = state_of(signed)
    response = head.post(url(signed, "request-extension"), {"version": signed.version, "new_due": "2026-10-01", "reason": "理由"})
    assert response.status_code == 200
    assert re.search(r'data-testid="error-new_due">[^<]*应晚于现在的完成时限', text(response))
    assert state_of(signed) == before and not ExtensionRequest.objects.exists()


def test_the_unit_cannot_approve_its_own_extension(county, head, signed):
    pending = services.request_extension(as_actor(county.people["unit_head"]), signed, new_due=dt.date(2027, 3, 31), reason="理由")
    before = state_of(signed)
    decide = f"/ledger/tasks/{signed.code}/extensions/{pending.pk}/"
    assert head.get(decide).status_code == 403
    response = head.post(decide, {"version": signed.version, "decision": "approve"})
    assert response.status_code == 403 and "牵头县领导或主要领导审批" in text(response)
    assert state_of(signed) == before and ExtensionRequest.objects.get(pk=pending.pk).state == RequestState.PENDING


def test_reassignment_requested_then_moved_by_the_office(county, head, office, signed):
    response = head.post(url(signed, "request-reassignment"), {"version": signed.version, "reason": "属自然资源部门职责", "suggested_unit": county.units["ndrc"].pk})
    assert_done(response, signed)
    pending = ReassignRequest.objects.get(task=signed)
    task = fresh(signed)
    decide = f"/ledger/tasks/{task.code}/reassignments/{pending.pk}/"
    assert f'<option value="{county.units["ndrc"].pk}" selected>' in text(office.get(decide))  # the unit's suggestion
    assert_done(office.post(decide, {"version": task.version, "decision": "approve", "new_unit": county.units["ndrc"].pk}), task)
    task = fresh(task)
    assert task.lead_unit == county.units["ndrc"] and task.state == TaskState.ASSIGNED and task.reassign_count == 1


def test_the_leader_cannot_decide_a_reassignment(county, signed):
    pending = services.request_reassignment(as_actor(county.people["unit_head"]), signed, reason="不是我们的")
    task = fresh(signed)
    before = state_of(task)
    response = county.client("leader").post(f"/ledger/tasks/{task.code}/reassignments/{pending.pk}/", {"version": task.version, "decision": "approve", "new_unit": county.units["ndrc"].pk})
    assert response.status_code == 403 and "调整承办单位由县督查室处理" in text(response)
    assert state_of(task) == before


# --- 挂起 / 暂停 / 撤销 ----------------------------------------------------------------------------


def test_pause_and_resume_the_clock(county, office, signed):
    assert_done(office.post(url(signed, "pause"), {"version": signed.version, "reason": "等待省厅批复"}), signed)
    task = fresh(signed)
    assert task.paused_since is not None and task.pause_reason == "等待省厅批复"
    assert "resume_clock" in text(office.get(f"/ledger/tasks/{task.code}/"))
    assert_done(office.post(url(task, "resume-clock"), {"version": task.version}), task)
    assert fresh(task).paused_since is None


def test_pause_needs_a_reason_and_the_right_role(county, office, head, signed):
    before = state_of(signed)
    response = office.post(url(signed, "pause"), {"version": signed.version, "reason": ""})
    assert response.status_code == 200 and 'data-testid="error-reason"' in text(response)
    response = head.post(url(signed, "pause"), {"version": signed.version, "reason": "想歇歇"})
    assert response.status_code == 403 and "挂起计时" in text(response)
    assert state_of(signed) == before


def test_a_principal_suspends_reopens_and_cancels(county, signed):
    principal = county.client("principal")
    assert_done(principal.post(url(signed, "suspend"), {"version": signed.version, "reason": "规划调整"}), signed)
    task = fresh(signed)
    assert task.state == TaskState.SUSPENDED
    assert_done(principal.post(url(task, "reopen"), {"version": task.version, "reason": ""}), task)
    task = fresh(task)
    assert task.state == TaskState.IN_PROGRESS
    assert_done(principal.post(url(task, "cancel"), {"version": task.version, "reason": "项目取消"}), task)
    assert fresh(task).state == TaskState.CANCELLED


def test_the_office_may_not_suspend_or_cancel(county, office, signed):
    before = state_of(signed)
    assert office.get(url(signed, "suspend")).status_code == 403
    for action in ("suspend", "cancel"):
        response = office.post(url(signed, action), {"version": signed.version, "reason": "理由"})
        assert response.status_code == 403 and "只有主要领导可以" in text(response)
    assert state_of(signed) == before


def test_an_action_page_that_is_not_open_now_says_why(county, office, signed):
    response = office.get(url(signed, "register"))
    assert response.status_code == 403 and "不能立账交办" in text(response) and 'data-testid="action-form"' not in text(response)


def test_an_unknown_action_is_404(county, office, signed):
    assert office.get(url(signed, "explode")).status_code == 404


def test_zero_width_and_right_to_left_override_characters_are_stripped_from_what_the_form_saves(county, campaign, office):
    # "新建\u200b产业园区道路" looks like the real title yet differs from it; U+202E would show the text reversed.
    response = office.post("/ledger/tasks/new/", task_form(
        county, campaign, title="新建\u200b产业\u202e园区\u2066道路\ufeff", standard="完成设计\u200d\n完成\u2060招标",
        responsible_name="\u200f张三",
    ))

    task = Task.objects.get(code="2026-0001")
    assert_done(response, task)
    assert (task.title, task.standard, task.responsible_name) == ("新建产业园区道路", "完成设计\n完成招标", "张三")
