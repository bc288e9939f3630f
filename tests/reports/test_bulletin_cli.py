"""`duban report weekly|monthly`: exit code, the file written, the number kept, a bad week refused in Chinese."""

import io

import pytest
from django.core.management import call_command
from docx import Document

from duban import cli
from duban.reports.models import Bulletin
from tests.scoring.conftest import at

# `duban …` closes the database connections when its command ends (Django's run_from_argv): outside a test
# transaction, the next query opens a new one (on PostgreSQL the test's own transaction would be gone).
pytestmark = pytest.mark.django_db(transaction=True)


def test_duban_report_weekly_writes_the_bulletin(county, week48, tmp_path, capsys):
    target = tmp_path / "通报.docx"
    with at("2026-11-30"):
        assert cli.main(["report", "weekly", "--week", "2026-W48", "-o", str(target)]) == 0
    document = Document(io.BytesIO(target.read_bytes()))
    assert document.paragraphs[1].text == "县督字〔2026〕4号"
    assert [c.text for c in document.tables[0].rows[1].cells][1:3] == [week48["a"].code, "国道改线征地"]
    out = capsys.readouterr().out
    assert "已生成周通报“2026年第48周（11月23日至11月29日）”（县督字〔2026〕4号）" in out
    record = Bulletin.objects.get()
    assert record.issued_by == county.people["supervision"]

    with at("2026-12-01"):  # again: the same number; --new-number: the next one
        call_command("report", "weekly", "--week", "2026-W48", "-o", str(target))
        assert Document(str(target)).paragraphs[1].text == "县督字〔2026〕4号"
        call_command("report", "weekly", "--week", "2026-W48", "-o", str(target), "--new-number")
        assert Document(str(target)).paragraphs[1].text == "县督字〔2026〕5号"


def test_duban_report_monthly(county, week48, tmp_path):
    target = tmp_path / "month.docx"
    with at("2026-12-02"):
        assert cli.main(["report", "monthly", "--month", "2026-11", "-o", str(target)]) == 0
    assert Document(str(target)).paragraphs[2].text == "关于2026年11月全县重点工作推进情况的通报"


@pytest.mark.parametrize("args, message", [
    (["weekly", "--week", "2026-48"], "周次格式应为“2026-W48”"),
    (["weekly", "--week", "2026-W60"], "2026年没有第60周"),
    (["monthly", "--month", "2026-13"], "月份格式应为“2026-11”"),
])
def test_a_bad_period_exits_2_with_a_chinese_message(county, tmp_path, capsys, args, message):
    target = tmp_path / "x.docx"
    with pytest.raises(SystemExit) as stopped:
        cli.main(["report", *args, "-o", str(target)])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert not target.exists() and not Bulletin.objects.exists()


def test_no_office_account_is_refused(db, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["report", "weekly", "--week", "2026-W48", "-o", str(tmp_path / "x.docx")])
    assert stopped.value.code == 2
    assert "系统中还没有督查室账号" in capsys.readouterr().err
