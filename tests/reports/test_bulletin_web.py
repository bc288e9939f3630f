"""/reports/bulletins/: the office picks a week or a month and downloads the .docx; nobody else may; the office
replaces the template (download, upload, restore) as it does the notice's."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from duban.reports import bulletin_doc
from duban.reports.bulletin_template import default_template_bytes
from duban.reports.models import Bulletin
from tests.scoring.conftest import at

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGES = ["reports:bulletins", "reports:bulletin_template", "reports:bulletin_template_download", "reports:bulletin_template_sample"]


def test_the_office_downloads_the_weekly_bulletin(county, week48):
    client = county.client("supervision")
    with at("2026-11-30"):
        page = client.get(reverse("reports:bulletins"))
        assert page.status_code == 200 and "生成并下载通报" in page.content.decode()
        response = client.post(reverse("reports:bulletins"), {"kind": "weekly", "week": "2026-W48"})
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert document.paragraphs[1].text == "县督字〔2026〕4号"
    assert [c.text for c in document.tables[1].rows[1].cells] == ["红榜", "县直部门", "1", "县发展和改革局", "108.00"]
    with at("2026-11-30"):
        listed = client.get(reverse("reports:bulletins")).content.decode()
    assert "2026-W48" in listed and "县督字〔2026〕4号" in listed


def test_the_monthly_bulletin_from_the_page(county, week48):
    with at("2026-12-02"):
        response = county.client("supervision").post(reverse("reports:bulletins"), {"kind": "monthly", "month": "2026-11", "week": "bad"})
    assert response.status_code == 200
    assert Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs[2].text == "关于2026年11月全县重点工作推进情况的通报"


@pytest.mark.parametrize("form, field, message", [
    ({"kind": "weekly", "week": "2026-48"}, "error-week", "周次格式应为“2026-W48”"),
    ({"kind": "monthly", "month": "11/2026"}, "error-month", "月份格式应为“2026-11”"),
])
def test_a_bad_period_is_refused_on_the_page(county, form, field, message):
    response = county.client("supervision").post(reverse("reports:bulletins"), form)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-testid="{field}"' in body and message in body
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize("role", ["principal", "leader", "unit_head", "liaison", "business", "safety", "sysadmin", "auditadmin"])
def test_only_the_office_may_issue_or_see_bulletins(county, role):
    client = county.client(role)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("reports:bulletins"), {"kind": "weekly", "week": "2026-W48"}).status_code == 403
    assert client.post(reverse("reports:bulletin_template_restore")).status_code == 403
    assert not Bulletin.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, county):
    response = client.post(reverse("reports:bulletins"), {"kind": "weekly", "week": "2026-W48"})
    assert response.status_code == 302 and "login" in response["Location"]


def own_template() -> bytes:
    """The default with the title reworded and {{文号}} split over three runs, as Word leaves it after an edit."""
    document = Document(io.BytesIO(default_template_bytes()))
    number = document.paragraphs[1]
    for run in list(number.runs):
        run._r.getparent().remove(run._r)
    for piece in ("{{", "文", "号}}"):
        number.add_run(piece)
    title = document.paragraphs[2]
    title.runs[0].text = "{{通报期别}}督查通报"
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def test_the_office_replaces_and_restores_the_template(county, week48, time_machine):
    time_machine.move_to("2026-11-30 10:00 +0800", tick=False)  # one clock throughout: the session's idle limit
    client = county.client("supervision")
    page = client.get(reverse("reports:bulletin_template")).content.decode()
    assert "{{逾期任务表}}" in page and "{{红黑榜}}" in page and "{{图表}}" in page and "正在使用系统默认模板" in page
    default = client.get(reverse("reports:bulletin_template_download"))
    assert b"".join(default.streaming_content) == default_template_bytes()

    refused = client.post(reverse("reports:bulletin_template"), {"file": SimpleUploadedFile("x.docx", b"not a zip")})
    assert refused.status_code == 400 and "不是有效的 Word 文档" in refused.content.decode()
    lacking = Document(io.BytesIO(default_template_bytes()))
    lacking.paragraphs[1].runs[0].text = "县督字"
    data = io.BytesIO()
    lacking.save(data)
    refused = client.post(reverse("reports:bulletin_template"), {"file": SimpleUploadedFile("x.docx", data.getvalue())})
    assert refused.status_code == 400 and "缺少必需的占位符 {{文号}}" in refused.content.decode()

    uploaded = client.post(reverse("reports:bulletin_template"), {"file": SimpleUploadedFile("本县通报.docx", own_template())})
    assert uploaded.status_code == 302
    assert "正在使用上传的模板“本县通报.docx”" in client.get(reverse("reports:bulletin_template")).content.decode()
    response = client.post(reverse("reports:bulletins"), {"kind": "weekly", "week": "2026-W48"})
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert [p.text for p in document.paragraphs[1:3]] == ["县督字〔2026〕4号", "2026年第48周（11月23日至11月29日）督查通报"]
    sample = client.get(reverse("reports:bulletin_template_sample"))
    assert Document(io.BytesIO(b"".join(sample.streaming_content))).paragraphs[2].text == "2026年第48周（11月23日至11月29日）督查通报"

    assert client.post(reverse("reports:bulletin_template_restore")).status_code == 302
    assert bulletin_doc.uploaded_template_info() is None
    response = client.post(reverse("reports:bulletins"), {"kind": "weekly", "week": "2026-W48"})  # issued: kept as issued
    assert Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs[2].text == "2026年第48周（11月23日至11月29日）督查通报"
    response = client.post(reverse("reports:bulletins"), {"kind": "weekly", "week": "2026-W48", "anew": "on"})
    assert Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs[2].text.startswith("关于2026年第48周")
