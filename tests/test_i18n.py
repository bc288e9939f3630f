"""The English catalogue (locale/en): complete, compiled, and used. A user who chose English reads the pages,
the services' refusals and the API's errors in English; everybody else reads exactly the Chinese of before.

When this fails after new UI text was added: run `make messages` (tools/i18n.sh), translate the msgids it
lists in src/duban/locale/en/LC_MESSAGES/django.po, run it again and commit django.po and django.mo."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

import duban
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.ledger import services
from tests.api.conftest import api, campaign, make_task  # noqa: F401  (the fixtures of the ledger and API tests)

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(duban.__file__).resolve().parent
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msgfmt")

# Labels of the navigation bar and the user menu that must not stay Chinese on an English page.
NAV_LABELS = ("首页", "台账", "督办记录", "中梗阻", "督办设置", "单位", "人员", "消息", "修改密码", "我的访问令牌", "退出登录", "界面语言")


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in English leaves English active in the thread (LocaleMiddleware): later tests expect Chinese."""
    yield
    translation.deactivate()


# --- the catalogue --------------------------------------------------------------------------------


def read_po(text: str) -> dict[tuple[str | None, str], dict]:
    """(msgctxt, msgid) → {"plural": msgid_plural or None, "msgstr": [forms], "fuzzy": bool}; obsolete entries left out."""
    entries, entry, field = {}, None, None

    def flush():
        if entry is not None and "msgid" in entry and not entry.get("obsolete"):
            key = (entry.get("msgctxt"), entry["msgid"])
            forms = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
            entries[key] = {"plural": entry.get("msgid_plural"), "msgstr": forms, "fuzzy": "fuzzy" in entry["flags"]}

    for line in text.splitlines() + [""]:
        if not line.strip():
            flush()
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "msgstr": {}}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
        else:
            keyword, _, quoted = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword == "msgstr" or match:
                field = ("msgstr", int(match.group(1)) if match else 0)
                entry["msgstr"][field[1]] = ast.literal_eval(quoted)
            else:
                field = (keyword, None)
                entry[keyword] = ast.literal_eval(quoted)
    return entries


def not_done(entries: dict) -> list[str]:
    """The msgids (with their context) still untranslated or fuzzy, one per line, ready to paste into the .po."""
    return [f"{'[' + ctx + '] ' if ctx else ''}{msgid!r}{' (fuzzy)' if e['fuzzy'] else ''}"
            for (ctx, msgid), e in entries.items() if msgid and (e["fuzzy"] or not all(e["msgstr"]))]


def test_every_msgid_makemessages_extracts_today_is_translated_and_none_is_fuzzy(tmp_path):
    """Re-runs tools/i18n.sh (makemessages + compilemessages) on a copy of the tree: the catalogue it makes
    has no empty or fuzzy translation, and holds exactly the msgids of the committed one."""
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        pytest.skip(f"GNU gettext is not installed ({', '.join(missing_tools)}): apt-get install gettext")
    shutil.copytree(SRC, tmp_path / "src" / "duban", ignore=shutil.ignore_patterns("static", "var", "__pycache__", "*.mo"))
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "i18n.sh", tmp_path / "tools" / "i18n.sh")
    env = {**os.environ, "PYTHON": sys.executable, "DUBAN_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": ""}
    run = subprocess.run(["bash", str(tmp_path / "tools" / "i18n.sh")], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"tools/i18n.sh failed:\n{run.stdout}\n{run.stderr}"
    fresh = read_po((tmp_path / "src/duban/locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8"))
    committed = read_po(PO.read_text(encoding="utf-8"))
    untranslated = not_done(fresh)
    assert not untranslated, (
        f"{len(untranslated)} msgid(s) untranslated or fuzzy in locale/en — run `make messages`, translate these in "
        f"{PO.relative_to(ROOT)} (and drop the fuzzy flags), run it again and commit django.po and django.mo:\n  "
        + "\n  ".join(untranslated))
    stale = sorted(str(key) for key in committed.keys() - fresh.keys())
    assert not stale, "msgids no longer in the code are still in the committed catalogue — run `make messages`:\n  " + "\n  ".join(stale)


def test_the_committed_mo_is_the_compiled_po():
    """django.mo holds exactly the translations of django.po (what compilemessages makes of it): a deploy
    machine without msgfmt serves what the .po says."""
    entries = read_po(PO.read_text(encoding="utf-8"))
    assert not not_done(entries), "untranslated or fuzzy entries in the committed .po:\n  " + "\n  ".join(not_done(entries))
    expected = {}
    for (ctx, msgid), entry in entries.items():
        if not msgid:
            continue
        key = f"{ctx}\x04{msgid}" if ctx else msgid
        if entry["plural"] is None:
            expected[key] = entry["msgstr"][0]
        else:
            expected.update({(key, n): form for n, form in enumerate(entry["msgstr"])})
    with MO.open("rb") as handle:
        catalog = dict(gettext.GNUTranslations(handle)._catalog)
    header = catalog.pop("", "")
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header and "Language: en" in header
    assert catalog == expected, "django.mo is not the compiled django.po: run `make messages` (or compilemessages) and commit it"


def test_the_catalogue_keeps_every_placeholder():
    """Each translation names the same %(…)s / {…} placeholders as its msgid (msgfmt checks only the first kind)."""
    pattern = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|\{\w*\}")
    wrong = []
    for (_ctx, msgid), entry in read_po(PO.read_text(encoding="utf-8")).items():
        wanted = sorted(pattern.findall(msgid))
        for form in entry["msgstr"]:
            if msgid and sorted(pattern.findall(form)) != wanted:
                wrong.append(f"{msgid!r} → {form!r}")
    assert not wrong, "placeholders differ:\n  " + "\n  ".join(wrong)


# --- pages ----------------------------------------------------------------------------------------


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def nav_of(html: str) -> str:
    return re.search(r"<nav class=\"navbar.*?</nav>", html, re.S).group(0)


def test_a_user_switches_to_english_and_the_choice_stays_in_the_cookie(county):
    client = county.client("supervision")
    home = client.get(reverse("home")).content.decode()
    assert "赵督查，您好" in home and 'data-testid="language-switch"' in home and 'value="en"' in home
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("ledger:task_list")})
    assert response.status_code == 302 and response["Location"] == reverse("ledger:task_list")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("home")).content.decode()
    assert "Hello, 赵督查" in page and '<html lang="en">' in page and 'value="zh-hans"' in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "赵督查，您好" in client.get(reverse("home")).content.decode()


def test_the_sign_in_page_offers_the_switch_and_is_chinese_by_default():
    page = Client().get(reverse("login")).content.decode()
    assert "县重点工作督办系统" in page and '<html lang="zh-CN">' in page and 'data-testid="language-switch"' in page
    page = Client(headers={"accept-language": "en"}).get(reverse("login")).content.decode()
    assert "County Key Work Supervision System" in page and "Sign in" in page and "县重点工作督办系统" not in page


def test_home_ledger_and_task_pages_render_in_english(county, make_task):
    task = make_task()
    home = english(county.client("unit_head")).get(reverse("home")).content.decode()
    assert all(text in home for text in ("Today's work", "Hello, 周局长", "Awaiting signature", "Sign for within 1 working day of assignment"))
    nav = nav_of(home)
    assert all(label in nav for label in ("Home", "Ledger", "Supervision records", "Obstruction", "Units", "People", "Messages", "Sign out"))
    assert [label for label in NAV_LABELS if label in nav] == []
    listing = english(county.client("supervision")).get(reverse("ledger:task_list")).content.decode()
    assert all(text in listing for text in ("Key-work ledger", "New entry", "Export to Excel", "Lead unit", "Deadline", "Light"))
    assert "Assigned, awaiting signature" in listing and "已交办待签收" not in listing
    assert [label for label in NAV_LABELS if label in nav_of(listing)] == []
    head = english(county.client("unit_head")).get(reverse("ledger:task_detail", args=[task.code])).content.decode()
    assert all(text in head for text in ("Five clarities", "Lead unit", "Sign for", "Request extension", "Timeline"))
    assert "签收" not in re.sub(r"<[^>]+>", " ", head).replace(task.title, "")  # the action bar, not the data
    assert "五明确" in county.client("unit_head").get(reverse("ledger:task_detail", args=[task.code])).content.decode()


# --- services and the API ---------------------------------------------------------------------------


def test_a_service_refusal_is_english_under_english_and_the_old_chinese_by_default(county, make_task):
    task = make_task()
    liaison = Actor(user=county.people["unit_head"])
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        services.request_completion(liaison, task, summary="done", no_evidence_reason="seen on site")
    assert refused.value.message == (
        "This task is “Assigned, awaiting signature” now, so “Request completion” is not possible. Possible now: Edit task, "
        "Split task, Sign for, Request extension, Decide extension, Request reassignment, Decide reassignment, Pause the clock, "
        "Resume the clock, Suspend task, Cancel task.")
    with pytest.raises(ServiceError) as refused:
        services.request_completion(liaison, task, summary="做完了", no_evidence_reason="现场核验")
    assert refused.value.message == ("该任务当前为“已交办待签收”，不能申请销账。现在可以：修改任务、分解任务、签收、申请延期、审批延期、"
                                     "申请调整承办单位、处理调整申请、挂起计时、恢复计时、暂停任务、撤销任务。")


def test_a_guard_with_a_placeholder_and_a_who_may_refusal_come_out_in_english(county, make_task):
    task = make_task()
    head = Actor(user=county.people["unit_head"])
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        services.request_extension(head, task, new_due=dt.date(2026, 10, 1), reason="waiting for the land approval")
    assert refused.value.message == "The new date must be later than the current deadline, 2026-12-31."
    with pytest.raises(ServiceError) as refused:
        services.request_extension(head, task, new_due=dt.date(2026, 10, 1), reason="等待用地审批")
    assert refused.value.message == "申请延至的日期应晚于现在的完成时限 2026年12月31日。"
    leader = Actor(user=county.people["leader"])  # sees the task (in charge of its unit) but may not sign for it
    with translation.override("en"), pytest.raises(NotAllowed) as refused:
        services.sign_task(leader, task)
    assert refused.value.message == (f"“Sign for” on task {task.code} is not open to you: "
                                     "Only a liaison or the unit head of the lead unit can sign for it.")
    with pytest.raises(NotAllowed) as refused:
        services.sign_task(leader, task)
    assert refused.value.message == f"您无权对任务 {task.code} 签收：只有牵头单位的联络员或一把手可以签收。"
    outsider = Actor(user=county.people["liaison"])
    with translation.override("en"), pytest.raises(NotAllowed) as refused:
        services.sign_task(outsider, task)
    assert refused.value.message == f"You cannot act on task {task.code}: it is not within your responsibilities."


def test_api_errors_follow_accept_language(county, make_task, api):
    task = make_task()
    client = api("unit_head")
    path = f"/tasks/{task.code}/transitions/request_extension"
    chinese = client.post(path, {"new_due": "2026-10-01", "reason": "x"})
    assert chinese.status_code == 400 and chinese.json() == {"detail": "申请延至的日期应晚于现在的完成时限 2026年12月31日。", "field": "new_due"}
    client.headers["Accept-Language"] = "en"
    refused = client.post(path, {"new_due": "2026-10-01", "reason": "x"})
    assert refused.status_code == 400 and refused.json() == {"detail": "The new date must be later than the current deadline, 2026-12-31.", "field": "new_due"}
    too_big = client.post(f"/tasks/{task.code}/reports", {"percent": 120, "text": "progress"})
    assert too_big.status_code == 422 and too_big.json()["detail"].startswith("“percent”: must not be greater than 100.")
    missing = client.get("/tasks/NO-SUCH")
    assert missing.status_code == 404 and missing.json()["detail"] == "Task NO-SUCH not found, or not within your responsibilities."
    del client.headers["Accept-Language"]
    assert client.get("/tasks/NO-SUCH").json()["detail"] == "未找到任务 NO-SUCH，或该任务不在您的职责范围内。"
