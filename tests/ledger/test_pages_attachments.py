"""Attachment downloads go through the owner's scope: another unit's liaison gets 404, never the file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from duban.core.models import Attachment
from duban.ledger import services
from duban.ledger.models import Task
from tests.ledger.conftest import as_actor

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%evidence of the work\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def files(county, make_task):
    """A report photo and a completion request's evidence on a task of 县交通运输局."""
    head = as_actor(county.people["unit_head"])
    task = make_task()
    services.sign_task(head, task)
    report = services.report_progress(head, Task.objects.get(pk=task.pk), percent=50, text="过半",
                                      files=[SimpleUploadedFile("进展报告.pdf", PDF)])
    request = services.request_completion(head, Task.objects.get(pk=task.pk), summary="完成",
                                          files=[SimpleUploadedFile("验收报告.pdf", PDF)])
    return {
        "report": Attachment.objects.get(owner_type="ledger.ProgressReport", owner_id=str(report.pk)),
        "evidence": Attachment.objects.get(owner_type="ledger.CompletionRequest", owner_id=str(request.pk)),
    }


@pytest.mark.parametrize("kind", ["report", "evidence"])
@pytest.mark.parametrize("role", ["unit_head", "supervision", "principal", "leader"])
def test_people_in_scope_download_the_file(county, files, role, kind):
    attachment = files[kind]
    response = county.client(role).get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "filename*=utf-8''" in response["Content-Disposition"]


@pytest.mark.parametrize("kind", ["report", "evidence"])
@pytest.mark.parametrize("role", ["liaison", "section_liaison", "township_liaison", "business", "sysadmin", "auditadmin"])
def test_anyone_outside_the_scope_gets_404(county, files, role, kind):
    response = county.client(role).get(f"/attachments/{files[kind].pk}/")
    assert response.status_code == 404
    assert PDF not in response.content


def test_an_unknown_attachment_is_404_and_anonymous_users_sign_in_first(county, files, client):
    assert county.client("supervision").get("/attachments/999999/").status_code == 404
    response = client.get(f"/attachments/{files['report'].pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_task_page_links_the_files(county, files):
    task = Task.objects.get()
    html = county.client("unit_head").get(f"/ledger/tasks/{task.code}/").content.decode()
    assert f'href="/attachments/{files["report"].pk}/"' in html and f'href="/attachments/{files["evidence"].pk}/"' in html


# --- evidence follows its task's scope; an owner without a scope is not downloadable ---------------------


def test_completion_requests_are_visible_exactly_where_their_task_is(county, files):
    from duban.ledger.models import CompletionRequest

    request = CompletionRequest.objects.get()
    seen = {role: CompletionRequest.objects.visible_to(county.people[role]).filter(pk=request.pk).exists()
            for role in ("unit_head", "section_liaison", "supervision", "principal", "leader", "liaison", "township_liaison", "auditadmin")}
    assert seen == {"unit_head": True, "section_liaison": False, "supervision": True, "principal": True, "leader": True,
                    "liaison": False, "township_liaison": False, "auditadmin": False}


def test_evidence_moves_with_the_task_when_it_is_reassigned(county, make_task):
    from duban.ledger.models import CompletionRequest

    head, office = as_actor(county.people["unit_head"]), as_actor(county.people["supervision"])
    task = make_task(cooperating_units=[county.units["chengguan"]])
    services.sign_task(head, task)
    request = services.request_completion(head, Task.objects.get(pk=task.pk), summary="完成",
                                          files=[SimpleUploadedFile("验收报告.pdf", PDF)])
    evidence = Attachment.objects.get(owner_type="ledger.CompletionRequest", owner_id=str(request.pk))
    download = f"/attachments/{evidence.pk}/"
    assert county.client("township_liaison").get(download).status_code == 200  # a cooperating unit sees the task
    assert county.client("liaison").get(download).status_code == 404
    services.return_task(office, Task.objects.get(pk=task.pk), reason="补材料")
    moving = services.request_reassignment(head, Task.objects.get(pk=task.pk), reason="应由发改局牵头")
    services.decide_reassignment(office, moving, approve=True, new_unit=county.units["ndrc"])
    assert county.client("liaison").get(download).status_code == 200  # 县发展和改革局 now leads it
    assert county.client("unit_head").get(download).status_code == 404  # 县交通运输局 no longer does
    assert CompletionRequest.objects.visible_to(county.people["unit_head"]).count() == 0


def test_a_file_on_a_record_with_no_scope_of_its_own_is_not_downloadable_by_anyone(county, make_task):
    from duban.core import attachments
    event = make_task().events.first()  # hangs on a task, but has no visible_to
    stray = attachments.store(SimpleUploadedFile("记录.pdf", PDF), owner=event, user=county.people["supervision"])
    for role in ("supervision", "principal", "unit_head"):
        response = county.client(role).get(f"/attachments/{stray.pk}/")
        assert response.status_code == 404, role
    odd = Attachment.objects.filter(pk=stray.pk)
    for owner_type, owner_id in (("ledger.ProgressReport", "not-a-number"), ("nowhere.Nothing", "1"), ("no-dot", "1")):
        odd.update(owner_type=owner_type, owner_id=owner_id)
        assert county.client("supervision").get(f"/attachments/{stray.pk}/").status_code == 404, owner_type
