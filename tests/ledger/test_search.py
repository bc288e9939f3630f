"""Chinese-aware text search of tasks (ledger.search): the tokeniser, the queries, the derived column kept
right on every write path, the index on both databases, and the list page against a brute-force substring
check. Runs on the suite's database (SQLite, or PostgreSQL with DUBAN_DATABASE_URL)."""

import datetime as dt
import random
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.core import backup
from duban.ledger import search, services
from duban.ledger.choices import TaskState
from duban.ledger.filters import TaskFilter
from duban.ledger.models import Task
from duban.matters.machine import write
from tests.ledger.conftest import as_actor

CODE = re.compile(r'<tr data-code="([^"]+)"')
NEXT = re.compile(r'data-testid="next-page" href="([^"]*)"')

pytestmark = pytest.mark.django_db


def found(text, queryset=None) -> set[str]:
    """Codes of the tasks the ledger's filter finds for `text` (the list page, API and export all use it)."""
    filterset = TaskFilter({"q": text}, queryset=queryset if queryset is not None else Task.objects.all())
    return set(filterset.qs.values_list("code", flat=True))


# --- the tokeniser -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("森林防火", "森林 林防 防火 火"),
    ("燃气", "燃气 气"),
    ("燃", "燃"),
    ("2026-0042", "2026 0042"),
    ("2026-0042-1", "2026 0042 1"),
    ("推进G241国道改线", "推进 进 g241 国道 道改 改线 线"),
    ("Ｇ２４１　国道（改线）", "g241 国道 道 改线 线"),  # full-width letters, digits, space and brackets: NFKC
    ("ＰＰＰ项目", "ppp 项目 目"),
    ("“三合一”场所整治", "三合 合一 一 场所 所整 整治 治"),
    ("5G基站建设", "5g 基站 站建 建设 设"),
    ("县委办〔2026〕8号", "县委 委办 办 2026 8 号"),
    ("①号楼", "1 号楼 楼"),  # circled digit → 1 (NFKC)
    ("二〇二六年", "二〇 〇二 二六 六年 年"),
    ("EPC总承包、PPP", "epc 总承 承包 包 ppp"),
    ("城关镇、镇区", "城关 关镇 镇 镇区 区"),  # the last character keeps 关镇 and 镇区 apart
    ("under_score & dash-es", "under score dash es"),
    ("  ", ""),
    ("", ""),
    ("！？。、", ""),
])
def test_tokeniser_table(text, expected):
    assert search.document(text) == expected


def test_the_document_holds_code_title_and_responsible_person_in_order():
    assert search.SOURCES == ("code", "title", "responsible_name")
    assert search.document("2026-0042", "完成征地", "张三") == "2026 0042 完成 成征 征地 地 张三 三"


@pytest.mark.parametrize(("text", "fts5", "tsquery"), [
    ("森林防火", '"森林" + "林防" + "防火"', "'森林' <-> '林防' <-> '防火'"),
    ("燃气", '"燃气"', "'燃气'"),
    ("燃", '"燃"*', "'燃':*"),
    ("2026-0042", '"2026" + "0042"*', "'2026' <-> '0042':*"),
    ("G24", '"g24"*', "'g24':*"),
    ("城关镇 东关", '"城关" + "关镇" + "镇" + "东关"', "'城关' <-> '关镇' <-> '镇' <-> '东关'"),
    ("城关镇 东", '"城关" + "关镇" + "镇" + "东"*', "'城关' <-> '关镇' <-> '镇' <-> '东':*"),
    ("3号 楼房", '"3" + "号" + "楼房"', "'3' <-> '号' <-> '楼房'"),
    ("国道G24", '"国道" + "道" + "g24"*', "'国道' <-> '道' <-> 'g24':*"),
    ('"征地" OR *', '"征地" + "地" + "or"*', "'征地' <-> '地' <-> 'or':*"),
    ("NEAR(征地 拆迁)", '"near" + "征地" + "地" + "拆迁"', "'near' <-> '征地' <-> '地' <-> '拆迁'"),
    ("a'b\\c", '"a" + "b" + "c"*', "'a' <-> 'b' <-> 'c':*"),
])
def test_a_query_becomes_one_quoted_phrase_never_search_syntax(text, fts5, tsquery):
    query = search.parse(text)
    assert search.fts5_match(query) == fts5
    assert search.pg_tsquery(query) == tsquery


def test_queries_that_do_not_use_the_index():
    assert search.parse("") is None and search.parse("   ") is None and search.parse(None) is None
    assert search.parse(" （） ") == search.Query(legacy="（）")  # no letter or digit: LIKE on the fields


# --- through the database: the tasks of the fixture county -------------------------------------------

@pytest.fixture
def tasks(make_task, county):
    return {
        "road": make_task(title="完成国道G241改线工程征地拆迁"),
        "fire": make_task(title="开展森林防火专项整治行动"),
        "gas": make_task(title="城镇燃气安全隐患排查整治", responsible_person=None, responsible_name="欧阳明"),
        "invest": make_task(title="招商引资“百日攻坚”签约项目落地"),
    }


def test_two_and_four_character_queries(tasks):
    assert found("征地") == {tasks["road"].code}
    assert found("燃气") == {tasks["gas"].code}
    assert found("森林防火") == {tasks["fire"].code}
    assert found("百日攻坚") == {tasks["invest"].code}
    assert found("整治") == {tasks["fire"].code, tasks["gas"].code}
    assert found("防火整治") == set()  # both words are there, but not this four-character string
    assert found("欧阳") == {tasks["gas"].code}  # the responsible person's name
    assert found("燃") == {tasks["gas"].code}  # one character, through the index too
    assert found("攻") == {tasks["invest"].code} and found("坚") == {tasks["invest"].code}  # inside, and a run's end


def test_a_task_number_or_its_beginning_finds_the_task(tasks):
    road = tasks["road"]
    assert found(road.code) == {road.code}
    assert found(road.code[:7]) >= {road.code}
    assert found(f" {road.code.lower()} ") == {road.code}
    assert found("1999-") == set()


def test_ascii_words_are_case_insensitive_and_full_width_is_the_same(tasks):
    road = tasks["road"].code
    assert found("G241") == found("g241") == found("Ｇ２４１") == found("g24") == {road}
    assert found("国道G241") == found("G241改线") == found("道g2") == {road}
    assert found("G241国道") == set()  # not in this order
    assert found("241") == set()  # a word is matched from its start


@pytest.mark.parametrize("text", [
    '"', '""', '"征地', '征地"', "*", "征地*", "*征地", "(征地", "征地)", "()", "NEAR(征地, 2)", "征地 OR 拆迁",
    "征地 AND NOT", "-征地", "^征地", "title:征地", "search_text:征地", "'", "\\", "%", "_", "征%地", "a'b", "{x}", ":", "+",
    "征地 + 拆迁", "'征地' & !拆迁", "征地 <-> 拆迁", "征:*", "\x00",
])
def test_search_syntax_in_the_box_is_just_text(tasks, county, text):
    codes = found(text)  # no syntax error on either database
    assert codes <= {t.code for t in tasks.values()}
    response = county.client("supervision").get("/ledger/", {"q": text})
    assert response.status_code == 200
    if search._runs(text) == [("征地", True)]:
        assert codes == {tasks["road"].code}


def test_editing_a_title_reindexes_it(tasks, county):
    office = as_actor(county.people["supervision"])
    fire = Task.objects.get(pk=tasks["fire"].pk)
    services.update_task(office, fire, expected_version=fire.version, title="开展秸秆禁烧专项督查")
    assert found("秸秆禁烧") == {fire.code}
    assert found("森林防火") == set()
    assert Task.objects.get(pk=fire.pk).search_text == search.document(fire.code, "开展秸秆禁烧专项督查", fire.responsible_name)


def test_every_write_path_derives_search_text(tasks, county, campaign):
    gas = Task.objects.get(pk=tasks["gas"].pk)
    write(gas, responsible_name="诸葛亮")  # the one conditional UPDATE of the services
    assert found("诸葛") == {gas.code} and found("欧阳") == set()
    gas.title = "液化气站点整治"
    gas.save(update_fields=["title"])
    assert found("液化气") == {gas.code}
    assert Task.objects.get(pk=gas.pk).search_text == search.document(gas.code, "液化气站点整治", "诸葛亮")


def test_bulk_writes_derive_search_text(county, campaign):
    made = Task.objects.bulk_create([
        Task(campaign=campaign, code=f"B-{i}", title=f"批量导入第{i}项河道清淤", state=TaskState.IN_PROGRESS,
             due_date=dt.date(2026, 6, i + 1))
        for i in range(3)
    ])
    rows = {t.code: t for t in Task.objects.filter(code__startswith="B-")}
    assert {c: (t.search_text, t.due_sort) for c, t in rows.items()} == {
        f"B-{i}": (search.document(f"B-{i}", f"批量导入第{i}项河道清淤", ""), dt.date(2026, 6, i + 1)) for i in range(3)
    }
    assert found("河道清淤") == set(rows)
    for task in made:
        task.title = task.title.replace("河道清淤", "水库除险")
    Task.objects.bulk_update(made, ["title"])
    assert found("水库除险") == set(rows) and found("河道") == set()
    # Many rows at once: a derived column whose sources are only partly given cannot be derived …
    with pytest.raises(ValueError, match="search_text is derived from code, title, responsible_name"):
        Task.objects.filter(code__startswith="B-").update(title="同一个标题")
    # … while one that can be, is.
    Task.objects.filter(code__startswith="B-").update(due_date=None)
    assert set(Task.objects.filter(code__startswith="B-").values_list("due_sort", flat=True)) == {dt.date.max}


def test_the_filter_is_one_indexed_condition(tasks):
    queryset = TaskFilter({"q": "森林防火"}, queryset=Task.objects.all()).qs
    with CaptureQueriesContext(connection) as ctx:
        list(queryset)
    sql = ctx.captured_queries[0]["sql"]
    if connection.vendor == "sqlite":
        assert f'"{search.FTS_TABLE}" MATCH' in sql and "LIKE" not in sql
    else:
        assert '"ledger_task"."search_vector" @@ to_tsquery' in sql and "LIKE" not in sql


def test_the_plan_reads_the_index(tasks):
    """EXPLAIN on the suite's database: the FTS5 table on SQLite; on PostgreSQL the GIN index (with sequential
    scans off: a handful of rows would otherwise be read directly)."""
    queryset = TaskFilter({"q": "森林防火"}, queryset=Task.objects.all()).qs
    sql, params = queryset.values_list("id").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " / ".join(row[-1] for row in cursor.fetchall())
            assert f"SCAN {search.FTS_TABLE} VIRTUAL TABLE" in plan, plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " / ".join(row[0] for row in cursor.fetchall())
            assert search.PG_INDEX in plan, plan


def test_the_index_exists_and_is_sound(tasks):
    assert search.missing_parts(connection) == []
    assert search.check_index(connection)


# --- the index after a restore, after a migration that rebuilds the table, for rows made before it ----


@pytest.mark.django_db(transaction=True)
def test_a_restored_database_finds_what_the_backed_up_one_did(make_task, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    made = [make_task(title=f"第{n}批老旧小区改造{word}") for n, word in enumerate(["燃气管网", "雨污分流", "加装电梯"], 1)]
    before = {q: found(q) for q in ["老旧小区", "燃气", "雨污分流", made[0].code, "电"]}
    archive = backup.create_backup(tmp_path / "backup.zip")
    call_command("flush", interactive=False, verbosity=0)
    assert found("老旧小区") == set()  # the index followed the rows out (delete trigger)

    backup.restore_backup(archive.path)

    assert {q: found(q) for q in before} == before
    assert before["老旧小区"] == {t.code for t in made} and before["雨污分流"] == {made[1].code}
    assert search.check_index(connection)
    # The restored county carries on: a new task is indexed like any other.
    newer = make_task(title="背街小巷改造")
    assert found("背街小巷") == {newer.code}


@pytest.mark.django_db(transaction=True)
def test_a_migration_that_loses_part_of_the_index_gets_it_back(make_task):
    make_task(title="老的任务农村改厕")
    if connection.vendor == "sqlite":
        with connection.schema_editor() as editor:
            editor._remake_table(Task)  # what Django does on SQLite for most AlterField/AddField of a task column
        assert sorted(search.missing_parts(connection)) == sorted(search._TRIGGERS)
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX {search.PG_INDEX}")
        assert search.missing_parts(connection) == [search.PG_INDEX]

    call_command("migrate", verbosity=0)  # post_migrate repairs it

    assert search.missing_parts(connection) == []
    newer = make_task(title="新的任务农村改厕")
    assert found("农村改厕") == {Task.objects.get(title="老的任务农村改厕").code, newer.code}
    assert search.check_index(connection)


def test_rebuild_rederives_search_text_and_the_index(tasks):
    Task.objects.update(search_text="")  # as if written outside the ORM, or by an older tokeniser
    assert found("森林防火") == set()

    search.rebuild_index(connection)

    assert found("森林防火") == {tasks["fire"].code}
    assert all(t.search_text == search.document(t.code, t.title, t.responsible_name) for t in Task.objects.all())
    assert search.check_index(connection)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_search_text_for_tasks_made_before_it(make_task):
    from django.db.migrations.executor import MigrationExecutor

    older = make_task(title="迁移之前的任务：供水管网改造")
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("ledger", "0002_task_list_indexes")])
        assert "search_text" not in {c.name for c in connection.introspection.get_table_description(connection.cursor(), "ledger_task")}
        executor = MigrationExecutor(connection)
        executor.migrate([("ledger", "0003_task_search_text")])
    finally:
        MigrationExecutor(connection).migrate(leaves)
    row = Task.objects.get(pk=older.pk)
    assert row.search_text == search.document(older.code, older.title, older.responsible_name)
    assert found("供水管网") == {older.code}
    assert search.missing_parts(connection) == [] and search.check_index(connection)


# --- the list page against a brute-force substring check ---------------------------------------------

WORDS = [
    "推进", "完成", "开展", "落实", "征地", "拆迁", "燃气", "安全", "排查", "招商", "引资", "森林", "防火", "老旧", "小区",
    "改造", "雨污", "分流", "国道", "改线", "农村", "公路", "建设", "城关", "东关", "村道", "整治", "攻坚", "专项", "行动",
    "高标准", "农田", "垃圾", "分类", "营商", "环境", "镇", "村", "县", "年", "〇", "三合一",
]
ASCII = ["G241", "S312", "PPP", "EPC", "5G", "Wi"]
SEPARATORS = ["", "", "", "", "、", "“", "”", "（", "）", " ", "-"]


def _title(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(3, 9)):
        parts.append(rng.choice(ASCII) if rng.random() < 0.08 else rng.choice(WORDS))
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts).strip()


def _cjk_runs(text: str) -> list[str]:
    return [run for run, cjk in search._runs(text) if cjk]


@pytest.fixture
def corpus(county, campaign):
    """300 in-progress tasks with titles from the county's vocabulary, a tenth with a responsible person's name."""
    rng = random.Random(2026)
    Task.objects.bulk_create([
        Task(campaign=campaign, code=f"2026-{n:04d}", title=_title(rng), state=TaskState.IN_PROGRESS,
             responsible_name=rng.choice(["王建国", "李卫东", "欧阳明"]) if n % 10 == 0 else "",
             lead_unit=county.units["ndrc"], due_date=dt.date(2026, 12, 1) + dt.timedelta(days=n % 40))
        for n in range(1, 301)
    ])
    return list(Task.objects.values("code", "title", "responsible_name"))


def page_codes(client, q: str) -> set[str]:
    """Every row the list page shows for ?q=, following its 下一页 links."""
    response, codes = client.get("/ledger/", {"q": q}), []
    while True:
        assert response.status_code == 200
        html = response.content.decode()
        codes += CODE.findall(html)
        next_link = NEXT.search(html)  # only when there is more than one page
        if next_link is None or next_link[1] == "#":
            return set(codes)
        response = client.get("/ledger/" + next_link[1].replace("&amp;", "&"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_the_list_page_finds_exactly_the_titles_that_contain_a_chinese_substring(corpus, county, data):
    client = county.client("supervision")
    task = data.draw(st.sampled_from([t for t in corpus if _cjk_runs(t["title"])]), label="task")
    run = data.draw(st.sampled_from(_cjk_runs(task["title"])), label="run")
    start = data.draw(st.integers(0, len(run) - 1), label="start")
    q = run[start : start + data.draw(st.integers(1, len(run) - start), label="length")]  # one character too

    expected = {t["code"] for t in corpus if q in t["title"] or q in t["responsible_name"]}

    assert task["code"] in expected
    assert page_codes(client, q) == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_the_list_page_finds_ascii_words_and_task_numbers_like_before(corpus, county, data):
    client = county.client("supervision")
    if data.draw(st.booleans(), label="word"):
        word = data.draw(st.sampled_from(ASCII), label="ascii")
        q = data.draw(st.sampled_from([word, word.lower(), word.upper()]), label="case")
        pattern = re.compile(rf"(?<![0-9a-z]){re.escape(q.lower())}")  # a word's start, case-insensitive
        expected = {t["code"] for t in corpus if pattern.search(t["title"].lower())}
    else:
        code = data.draw(st.sampled_from(corpus), label="task")["code"]
        q = code[: data.draw(st.integers(6, len(code)), label="prefix")]
        expected = {t["code"] for t in corpus if t["code"].startswith(q)}
    assert page_codes(client, q) == expected
