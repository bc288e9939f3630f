"""The staff's pages of the appeals desk, as the business office and the units use them: the desk's queues, the
office's entry of a phone appeal, the list, the appeal page (a hidden identity never reaching the unit, a
script shown inert), the action pages through the services, the time limits table and the home page's items."""

import re

import pytest

from duban.appeals import services
from duban.appeals.choices import AppealState, Category, Channel, Outcome, Rating
from duban.appeals.models import Appeal, AppealUnit, TimeLimit
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry
from duban.ledger.models import Campaign, Task
from tests import kit
from tests.appeals.conftest import as_actor, at, credit_code, fresh

pytestmark = pytest.mark.django_db

TABLES = kit.tables_for("appeals")
SECRET = {"enterprise_name": "某某保密科技有限公司", "credit_code": credit_code(7), "contact_name": "隋经理", "phone": "13712345678"}


def text(response) -> str:
    return response.content.decode()


def codes_in(html: str, testid: str) -> list[str]:
    """The appeal codes of a desk queue, in their order on the page."""
    section = html.split(f'data-testid="queue-{testid}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-testid="desk-row" data-code="([^"]+)"', section)


# --- the desk ---------------------------------------------------------------------------------------


def test_the_desk_shows_each_step_most_urgent_first_with_duplicates_and_send_back_reasons(county, submit, desk, dispatched):
    with at("2026-06-01"):  # Monday
        early = submit().appeal
    with at("2026-06-02"):
        twin = submit(description="车间用电增容勘察一直没人来，请尽快安排。").appeal  # the same enterprise and category
        other = submit(enterprise_name="某某物流有限公司", credit_code=credit_code(3), category=Category.APPROVAL).appeal
        back = dispatched(enterprise_name="某某食品有限公司", credit_code=credit_code(4), category=Category.FINANCING)
        services.send_back_appeal(as_actor(county.people["liaison"]), back, reason="贴息属财政局职责")
        handling = dispatched(enterprise_name="某某建材有限公司", credit_code=credit_code(5), category=Category.LAND)
        services.sign_appeal(as_actor(county.people["liaison"]), handling)
        services.request_extension(as_actor(county.people["liaison"]), fresh(handling), reason="需自然资源厅批复")
        page = text(county.client("business").get("/appeals/"))
    assert codes_in(page, "submitted") == [early.code, twin.code, other.code]  # the oldest limit first
    assert codes_in(page, "accepted") == [back.code]
    assert codes_in(page, "dispatched") == []
    assert codes_in(page, "handling") == codes_in(page, "extension") == [handling.code]
    counts = dict(re.findall(r'data-testid="count-(\w+)">(\d+)<', page))
    assert counts == {"submitted": "3", "accepted": "1", "dispatched": "0", "handling": "1", "extension": "1", "replied": "0"}
    assert page.count('data-testid="duplicates"') == 2  # early and twin offer each other, the others none
    assert f'href="/appeals/{early.code}/merge/"' in page and f'href="/appeals/{other.code}/merge/"' not in page
    assert "县发展和改革局退单：贴息属财政局职责" in page
    assert "延期理由：需自然资源厅批复" in page


def test_a_unit_is_turned_away_from_the_desk_in_chinese_and_the_leaders_may_read_it(county, submit):
    refused = county.client("liaison").get("/appeals/")
    assert refused.status_code == 403 and "县营商办工作台只对县营商办、主要领导和县督查室开放" in text(refused)
    principal = text(county.client("principal").get("/appeals/"))
    assert 'data-testid="queue-submitted"' in principal and 'data-testid="new-appeal"' not in principal


# --- the office's entry -------------------------------------------------------------------------------


def test_the_office_enters_a_phone_appeal_without_a_credit_code_and_sees_its_possible_duplicate(county, desk):
    with at("2026-06-01"):
        earlier = services.submit_appeal(desk, channel=Channel.HOTLINE, enterprise_name="某某 新材料有限公司", contact_name="马经理",
                                         phone="13900001111", category=Category.UTILITIES, description="12345转来：用电增容未勘察。").appeal
        client = county.client("business")
        response = client.post("/appeals/new/", {
            "channel": Channel.PHONE, "enterprise_name": "某某新材料有限公司", "credit_code": "", "contact_name": "马经理",
            "phone": "13900001111", "category": Category.UTILITIES, "urgency": "urgent", "description": "电话反映：用电增容勘察仍未安排。"})
        page = text(client.get(response["Location"]))
    appeal = Appeal.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/{appeal.code}/"
    assert (appeal.channel, appeal.credit_code, appeal.urgency, appeal.entered_by) == (Channel.PHONE, "", "urgent", county.people["business"])
    duplicates = page.split('data-testid="duplicates"', 1)[1].split("</div>", 2)
    assert earlier.code in "".join(duplicates[:2])
    assert f'href="/appeals/{appeal.code}/merge/"' in page


def test_a_wrong_credit_code_is_said_on_the_entry_form_and_nothing_is_stored(county):
    client = county.client("business")
    before = kit.footprint(TABLES)
    response = client.post("/appeals/new/", {
        "channel": Channel.VISIT, "enterprise_name": "某某公司", "credit_code": credit_code(9)[:-1] + "X", "contact_name": "王",
        "phone": "13900001111", "category": Category.OTHER, "urgency": "normal", "description": "来访。"})
    assert response.status_code == 200 and 'data-testid="error-credit_code"' in text(response)
    kit.assert_unchanged(before, kit.footprint(TABLES))


# --- a hidden identity, a script: never reaching the unit, never running --------------------------------


def test_a_hidden_identity_never_reaches_the_units_pages(county, dispatched):
    with at("2026-06-01"):
        appeal = dispatched(identity_hidden=True, description="技改补贴迟迟未兑现。", **SECRET)
    liaison = county.client("liaison")
    bodies = [liaison.get(url).content for url in (
        f"/appeals/{appeal.code}/", "/appeals/list/", f"/appeals/{appeal.code}/sign/", f"/appeals/{appeal.code}/send-back/",
        "/appeals/list/?q=保密科技", "/")]
    for body in bodies:
        for secret in (*SECRET.values(), "138****", "137****5678", "隋*"):
            assert secret.encode() not in body
    assert "（企业要求对承办单位保密）".encode() in bodies[0] and "（企业要求对承办单位保密）".encode() in bodies[1]
    assert f'data-code="{appeal.code}"'.encode() not in bodies[4]  # a guessed name finds nothing
    office = text(county.client("business").get(f"/appeals/{appeal.code}/"))
    assert all(value in office for value in SECRET.values())
    supervision = text(county.client("supervision").get(f"/appeals/{appeal.code}/"))  # only the office knows who it is
    assert "（企业要求对承办单位保密）" in supervision and not any(value in supervision for value in SECRET.values())


def test_the_contact_is_masked_for_those_who_need_not_call(county, dispatched):
    with at("2026-06-01"):
        appeal = dispatched(**SECRET)
        supervision = text(county.client("supervision").get(f"/appeals/{appeal.code}/"))
        unit = text(county.client("liaison").get(f"/appeals/{appeal.code}/"))
    assert SECRET["enterprise_name"] in supervision and "137****5678" in supervision and "隋*" in supervision
    assert SECRET["phone"] not in supervision and SECRET["contact_name"] not in supervision
    assert SECRET["phone"] in unit and SECRET["contact_name"] in unit  # the unit may have to call


def test_a_script_in_the_description_is_shown_inert_on_the_list_and_the_page(county, submit):
    with at("2026-06-01"):
        appeal = submit(description="<script>alert('x')</script>停电三天").appeal
    client = county.client("business")
    for url in ("/appeals/list/", f"/appeals/{appeal.code}/", "/appeals/"):
        body = text(client.get(url))
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;停电三天" in body


# --- the list -----------------------------------------------------------------------------------------


def test_the_list_filters_through_the_one_filterset_counts_by_light_and_marks_what_it_must(county, submit, desk, dispatched):
    with at("2026-06-01"):
        late = dispatched()
        excluded = submit(enterprise_name="某某物流有限公司", credit_code=credit_code(3)).appeal
        services.exclude_appeal(desk, excluded, reason="不属于县级事权")
    with at("2026-06-03"):
        services.refresh_light(fresh(late))
        client = county.client("business")
        page = text(client.get("/appeals/list/"))
        dispatched_only = text(client.get("/appeals/list/?state=dispatched"))
    assert re.search(r'data-light-count="red">.*?红灯 1<', page) and re.search(r'data-light-count="green">.*?绿灯 1<', page)
    assert "共 2 件" in page and 'data-testid="excluded"' in page
    assert "签收超时（时限 2026年6月2日）" in page
    assert f'data-code="{late.code}"' in dispatched_only and f'data-code="{excluded.code}"' not in dispatched_only
    assert 'href="/appeals/export/?state=dispatched" data-testid="export"' in dispatched_only  # the same rows, to Excel


def test_a_units_counts_by_light_hold_each_of_its_appeals_once_led_cooperated_or_sent_up(county, submit, desk, rf):
    """Counted part by part (Appeal.objects.visible_parts), an appeal a unit both leads and cooperates on (its
    sub-tree), or one sent up to a leader that their units lead too, is still counted once, as the rows list it."""
    from collections import Counter

    from duban.appeals import selectors

    u = county.units
    plans = [(u["transport"], [u["transport_office"]]), (u["ndrc"], [u["transport"]]), (u["ndrc"], [u["transport_office"], u["chengguan"]]),
             (u["chengguan"], []), (u["transport"], [])]
    with at("2026-06-01"):
        appeals = []
        for n, (lead, cooperating) in enumerate(plans):
            appeal = submit(credit_code=credit_code(n + 1)).appeal
            services.accept_appeal(desk, appeal)
            appeals.append(services.dispatch_appeal(desk, fresh(appeal), lead_unit=lead, cooperating_units=cooperating))
        # Sent up to the leader in charge of 交通: one of their units' appeals and one of another unit.
        Appeal.objects.filter(pk__in=[appeals[0].pk, appeals[3].pk]).update(leader_in_charge=county.people["leader"], escalated=True)
        Appeal.objects.filter(pk=appeals[1].pk).update(light="red")
        expected_totals = {"unit_head": 4, "section_liaison": 2, "liaison": 2, "township_liaison": 2, "leader": 5}
        for role, total in expected_totals.items():
            user = county.people[role]
            request = rf.get("/appeals/list/")
            request.user = user
            listing = selectors.listing(request, {})
            lights = Counter(listing.rows.values_list("light", flat=True))
            assert (role, listing.total) == (role, total)
            assert {light: n for light, n in listing.light_counts.items() if n} == dict(lights), role
            open_only = selectors.listing(request, {"state": "dispatched", "light": "red"})
            assert open_only.total == open_only.rows.count(), role


# The filter form as Django's widgets wrote it before appeals.tables.filter_controls took over (the list's
# template then looped over the bound fields): the Python controls must be the same HTML, byte for byte.
WIDGETS_TEMPLATE = (
    '{% for field in fields %}{% if field.widget_type == "checkboxselectmultiple" %}\n'
    '    <div class="col-12"><div class="small text-muted">{{ field.label }}</div>\n'
    '      {% for choice in field %}<span class="form-check form-check-inline small"><input class="form-check-input" type="checkbox" '
    'name="{{ field.name }}" value="{{ choice.data.value }}" id="{{ choice.id_for_label }}"{% if choice.data.selected %} checked{% endif %}>'
    '<label class="form-check-label" for="{{ choice.id_for_label }}">{{ choice.choice_label }}</label></span>{% endfor %}</div>\n'
    '    {% elif field.widget_type == "checkbox" %}\n'
    '    <div class="col-6 col-md-3 col-xl-2"><div class="form-check mt-3"><input class="form-check-input" type="checkbox" '
    'name="{{ field.name }}" value="true" id="{{ field.id_for_label }}"{% if field.value %} checked{% endif %}>'
    '<label class="form-check-label small" for="{{ field.id_for_label }}">{{ field.label }}</label></div></div>\n'
    '    {% else %}\n'
    '    <div class="col-6 col-md-4 col-xl-2"><label class="form-label small mb-0" for="{{ field.id_for_label }}">{{ field.label }}</label>{{ field }}\n'
    '      {% for e in field.errors %}<div class="invalid-feedback d-block">{{ e }}</div>{% endfor %}</div>\n'
    '    {% endif %}{% endfor %}'
)


@pytest.mark.parametrize("query", [
    "", "state=open&state=handling&light=red&category=land&category=policy&channel=web&q=<b>\"'&amp;",
    "urgency=urgent&unit={unit}&holder={unit}&outcome=resolved&rating=satisfied&excluded=true&repeat=on&escalated=true",
    "submitted_from=2026-01-01&submitted_to=2026-13-01&accepted_from=bad&sent_back=0&reopened=2&excluded=false",
    "excluded=unknown&unit=999999&urgency=nope&state=zzz&category=nope&sent_back=abc&repeat=&q=" + "长" * 60,
])
def test_the_list_writes_its_filter_controls_as_the_widgets_would(county, rf, query):
    from django.http import QueryDict
    from django.template import Context, Template

    from duban.appeals.filters import LINK_ONLY, AppealFilter
    from duban.appeals.tables import filter_controls
    from duban.core.models import Unit

    request = rf.get("/appeals/list/")
    request.user = county.people["business"]
    form = AppealFilter(QueryDict(query.format(unit=county.units["ndrc"].pk)), queryset=Appeal.objects.all(), request=request).form
    names = [name for name in form.fields if name not in LINK_ONLY]
    widgets = Template(WIDGETS_TEMPLATE).render(Context({"fields": [form[name] for name in names]}))
    units = list(Unit.objects.order_by("sort_key").values_list("pk", "name"))
    assert str(filter_controls(form, names, units)) == widgets


# --- the action pages ---------------------------------------------------------------------------------


def test_the_office_accepts_and_dispatches_with_cooperating_units_and_the_unit_signs_in_one_click(county, submit):
    with at("2026-06-01"):
        appeal = submit().appeal
        office = county.client("business")
        accepted = office.post(f"/appeals/{appeal.code}/accept/", {"version": appeal.version, "category": Category.LAND, "urgency": "urgent"})
        assert accepted.status_code == 302
        appeal = fresh(appeal)
        assert (appeal.state, appeal.category, appeal.urgency) == (AppealState.ACCEPTED, Category.LAND, "urgent")
        office.post(f"/appeals/{appeal.code}/dispatch/", {"version": appeal.version, "lead_unit": county.units["ndrc"].pk,
                                                          "cooperating_units": [county.units["transport"].pk], "note": "请会同交通局办理"})
        appeal = fresh(appeal)
        assert appeal.state == AppealState.DISPATCHED and appeal.lead_unit == county.units["ndrc"]
        assert list(AppealUnit.objects.filter(appeal=appeal).values_list("unit_id", flat=True)) == [county.units["transport"].pk]
        liaison = county.client("liaison")
        page = text(liaison.get(f"/appeals/{appeal.code}/"))
        assert f'action="/appeals/{appeal.code}/sign/"' in page and f'value="{appeal.version}"' in page
        assert "县交通运输局" in page.split('data-testid="cooperating"', 1)[1].split("</dd>", 1)[0]
        signed = liaison.post(f"/appeals/{appeal.code}/sign/", {"version": appeal.version})
    assert signed.status_code == 302 and fresh(appeal).state == AppealState.HANDLING


def test_a_stale_form_is_refused_as_a_conflict_and_changes_nothing(county, dispatched):
    with at("2026-06-01"):
        appeal = dispatched()
        stale = appeal.version
        services.sign_appeal(as_actor(county.people["liaison"]), appeal)
        appeal = fresh(appeal)
        client = county.client("liaison")
        before = kit.footprint(TABLES, appeal)
        response = client.post(f"/appeals/{appeal.code}/reply/", {"version": stale, "public_text": "已办", "outcome": Outcome.RESOLVED})
    assert response.status_code == 409 and 'data-testid="conflict"' in text(response)
    kit.assert_unchanged(before, kit.footprint(TABLES, appeal))


def test_the_unit_replies_the_office_calls_back_and_the_rounds_show_with_their_ratings(county, dispatched):
    with at("2026-06-01"):
        appeal = dispatched()
        liaison, office = county.client("liaison"), county.client("business")
        services.sign_appeal(as_actor(county.people["liaison"]), appeal)
        refused = liaison.post(f"/appeals/{appeal.code}/reply/", {"version": fresh(appeal).version, "public_text": "办不了",
                                                                   "outcome": Outcome.UNRESOLVABLE})
        assert refused.status_code == 200 and "无法解决的，请写明法律法规或政策依据。" in text(refused)
        liaison.post(f"/appeals/{appeal.code}/reply/", {"version": fresh(appeal).version, "public_text": "已协调供电公司勘察。",
                                                        "outcome": Outcome.PARTLY, "internal_note": "增容需省公司批复"})
        assert "回访电话：马经理 13900001111" in text(office.get(f"/appeals/{appeal.code}/rate/"))  # who to call, in full
        office.post(f"/appeals/{appeal.code}/rate/", {"version": fresh(appeal).version, "rating": "unsatisfied", "comment": "没有时间表"})
        assert fresh(appeal).state == AppealState.HANDLING and appeal.reopen_count == 1
        liaison.post(f"/appeals/{appeal.code}/reply/", {"version": fresh(appeal).version, "public_text": "7月15日前完成增容。",
                                                        "outcome": Outcome.RESOLVED})
        office.post(f"/appeals/{appeal.code}/rate/", {"version": fresh(appeal).version, "rating": "satisfied"})
        page = text(office.get(f"/appeals/{appeal.code}/"))
    assert fresh(appeal).state == AppealState.CLOSED
    rounds = re.findall(r'data-testid="reply" data-round="(\d)"', page)
    assert rounds == ["1", "2"]
    assert re.findall(r'评价：<strong>([^<]+)</strong>', page) == ["不满意", "满意"]
    assert "内部说明：增容需省公司批复" in page
    assert 'data-testid="actions"' in page and 'act-rate' not in page  # closed: nothing to call back


def test_the_office_decides_an_extension_and_merges_a_duplicate_through_their_pages(county, submit, desk, dispatched):
    with at("2026-06-01"):
        appeal = dispatched()
        services.sign_appeal(as_actor(county.people["liaison"]), appeal)
        services.request_extension(as_actor(county.people["liaison"]), fresh(appeal), reason="需省公司批复")
        office = county.client("business")
        assert 'act-decide-extension' in text(office.get(f"/appeals/{appeal.code}/"))
        office.post(f"/appeals/{appeal.code}/decide-extension/", {"version": fresh(appeal).version, "approve": "yes"})
        assert fresh(appeal).is_complex and not appeal.extension_requested
        again = submit(description="用电增容还是没有消息。").appeal
        assert 'act-merge' in text(office.get(f"/appeals/{again.code}/"))
        office.post(f"/appeals/{again.code}/merge/", {"version": again.version, "into": appeal.pk})
        page = text(office.get(f"/appeals/{appeal.code}/"))
    assert fresh(again).state == AppealState.MERGED and again.merged_into == appeal
    assert f'href="/appeals/{again.code}/"' in page.split('data-testid="merged"', 1)[1]


def test_an_action_the_user_may_not_take_says_why_not(county, dispatched):
    with at("2026-06-01"):
        appeal = dispatched()
    office = county.client("business")
    refused = office.get(f"/appeals/{appeal.code}/include/")
    assert refused.status_code == 403 and "该诉求本来就纳入考核。" in text(refused)
    unit = county.client("liaison").get(f"/appeals/{appeal.code}/rate/")
    assert unit.status_code == 403 and f"您无权对诉求 {appeal.code} 回访评价：只有县营商办可以办理。" in text(unit)


def test_a_promoted_appeal_and_its_task_link_to_each_other(county, dispatched):
    campaign = Campaign.objects.create(name="2026年执行力亮剑行动", year=2026)
    with at("2026-06-01"):
        appeal = dispatched()
        response = county.client("supervision").post(f"/appeals/{appeal.code}/promote/", {"version": appeal.version, "campaign": campaign.pk})
    assert response.status_code == 302
    task = Task.objects.get()
    assert f'href="/ledger/tasks/{task.code}/"' in text(county.client("business").get(f"/appeals/{appeal.code}/"))
    task_page = text(county.client("supervision").get(f"/ledger/tasks/{task.code}/"))
    assert f'href="/appeals/{appeal.code}/" data-testid="source-appeal">企业诉求 {appeal.code}</a>' in task_page


# --- the time limits ----------------------------------------------------------------------------------


def test_the_office_sets_a_categorys_limits_audited_and_a_limit_out_of_range_changes_nothing(county, submit):
    client = county.client("business")
    values = {"category": Category.LAND, "urgency": "normal", "accept_days": 1, "dispatch_days": 1, "sign_days": 2, "reply_days": 10,
              "complex_days": 30, "callback_days": 3}
    assert client.post("/appeals/limits/", values).status_code == 302
    row = TimeLimit.objects.get()
    assert (row.category, row.urgency, row.sign_days, row.reply_days, row.complex_days) == (Category.LAND, "normal", 2, 10, 30)
    entry = AuditEntry.objects.filter(action="appeal.limit.set").get()
    assert entry.after["reply_days"] == 10 and entry.before is None
    page = text(client.get("/appeals/limits/"))
    assert len(re.findall(r'data-testid="limit-row"', page)) == 3  # 全部类别 × 2, and 用地·一般
    before = kit.footprint(TABLES)
    refused = client.post("/appeals/limits/", {**values, "reply_days": 61})
    assert refused.status_code == 200 and AuditEntry.objects.filter(action="appeal.limit.set").count() == 1
    kit.assert_unchanged(before, kit.footprint(TABLES))
    with at("2026-06-01"):
        appeal = submit(category=Category.LAND).appeal
        services.accept_appeal(as_actor(county.people["business"]), appeal)
        services.dispatch_appeal(as_actor(county.people["business"]), fresh(appeal), lead_unit=county.units["ndrc"])
        assert fresh(appeal).due_date.isoformat() == "2026-06-03"  # signing within 2 working days now
        client = county.client("business")
        cleared = client.post("/appeals/limits/", {"category": Category.LAND, "urgency": "normal", "clear": "1"}, follow=True)
    assert "已取消该类别的单独时限，改按全部类别的时限。" in text(cleared) and not TimeLimit.objects.exists()
    assert AuditEntry.objects.filter(action="appeal.limit.clear").get().before["reply_days"] == 10


def test_only_the_office_sets_limits_and_each_must_be_1_to_60_days(county):
    days = {"accept_days": 1, "dispatch_days": 1, "sign_days": 1, "reply_days": 5, "complex_days": 15, "callback_days": 3}
    with kit.refused(TABLES, error=NotAllowed, message="只有县营商办可以设置办理时限。"):
        services.set_time_limit(Actor(user=county.people["supervision"]), "", "normal", **days)
    with kit.refused(TABLES, error=ServiceError, message="答复时限（工作日）须为 1 到 60 个工作日。"):
        services.set_time_limit(Actor(user=county.people["business"]), "", "normal", **{**days, "reply_days": 0})
    with kit.refused(TABLES, error=ServiceError, message="全部类别的时限不能取消，只能修改。"):
        services.clear_time_limit(Actor(user=county.people["business"]), "", "normal")


# --- the home page -------------------------------------------------------------------------------------


def test_the_home_page_tells_the_unit_what_to_sign_and_reply_and_the_office_what_to_accept(county, submit, dispatched):
    with at("2026-06-01"):
        to_sign = dispatched(identity_hidden=True, **SECRET)
        to_reply = dispatched(enterprise_name="某某食品有限公司", credit_code=credit_code(4))
        services.sign_appeal(as_actor(county.people["liaison"]), to_reply)
        new = submit(enterprise_name="某某物流有限公司", credit_code=credit_code(3)).appeal
        unit = text(county.client("liaison").get("/"))
        office = text(county.client("business").get("/"))
    assert re.search(r'data-section="appeals.sign"><span>企业诉求待签收</span><span data-testid="section-count">1<', unit)
    assert re.search(r'data-section="appeals.reply"><span>企业诉求待答复</span><span data-testid="section-count">1<', unit)
    assert f'href="/appeals/{to_sign.code}/"' in unit and "期限 2026-06-02" in unit and "期限 2026-06-08" in unit
    assert SECRET["enterprise_name"] not in unit
    assert re.search(r'data-section="appeals.accept"><span>待受理诉求</span><span data-testid="section-count">1<', office)
    assert f'href="/appeals/{new.code}/"' in office and "appeals.sign" not in office


def test_replying_again_after_an_unsatisfied_call_back_shows_why_it_was_not_enough(county, dispatched, desk):
    with at("2026-06-01"):
        appeal = dispatched()
        unit = as_actor(county.people["liaison"])
        services.sign_appeal(unit, appeal)
        services.reply_appeal(unit, fresh(appeal), public_text="已协调供电公司勘察。", outcome=Outcome.PARTLY)
        services.rate_appeal(desk, fresh(appeal), rating="unsatisfied", comment="没有时间表")
        page = text(county.client("liaison").get(f"/appeals/{appeal.code}/reply/"))
    card = page.split('data-testid="last-reply"', 1)[1].split("</form>", 1)[0]
    assert "第 1 轮答复（县发展和改革局）" in card and "已协调供电公司勘察。" in card and "没有时间表" in card


def test_the_office_declines_corrects_and_rules_out_through_the_pages(county, submit):
    with at("2026-06-01"):
        first, second = submit().appeal, submit(enterprise_name="某某物流有限公司", credit_code=credit_code(3)).appeal
        office = county.client("business")
        unchanged = office.post(f"/appeals/{second.code}/edit/", {
            "version": second.version, "category": second.category, "urgency": second.urgency, "title": second.title,
            "description": second.description, "enterprise_name": second.enterprise_name, "credit_code": second.credit_code,
            "contact_name": second.contact_name, "phone": second.phone})
        assert unchanged.status_code == 200 and "没有修改任何内容。" in text(unchanged) and fresh(second).version == second.version
        office.post(f"/appeals/{second.code}/edit/", {
            "version": second.version, "category": Category.LAND, "urgency": second.urgency, "title": "物流园道路开口",
            "description": second.description, "enterprise_name": second.enterprise_name, "credit_code": second.credit_code,
            "contact_name": second.contact_name, "phone": second.phone})
        assert (fresh(second).category, second.title) == (Category.LAND, "物流园道路开口")
        office.post(f"/appeals/{first.code}/decline/", {"version": first.version, "reason": "属于民事纠纷，请通过诉讼解决"})
        office.post(f"/appeals/{second.code}/exclude/", {"version": fresh(second).version, "reason": "不属于县级事权"})
        declined, excluded = text(office.get(f"/appeals/{first.code}/")), text(office.get(f"/appeals/{second.code}/"))
        assert fresh(first).state == AppealState.DECLINED and "属于民事纠纷，请通过诉讼解决" in declined
        assert fresh(second).excluded and "不纳入考核：不属于县级事权" in excluded
        assert f'action="/appeals/{second.code}/include/"' in excluded  # undone in one click
        office.post(f"/appeals/{second.code}/include/", {"version": fresh(second).version})
    assert not fresh(second).excluded and second.excluded_reason == ""


def test_a_repeat_and_the_appeal_it_repeats_link_to_each_other_and_the_page_lists_its_supervision(county, submit, desk, dispatched):
    from duban.supervision import services as supervision

    unit = as_actor(county.people["liaison"])
    with at("2026-06-01"):
        first = dispatched()
        services.sign_appeal(unit, first)
        services.reply_appeal(unit, fresh(first), public_text="已安排勘察。", outcome=Outcome.RESOLVED)
        services.rate_appeal(desk, fresh(first), rating="satisfied")
    with at("2026-07-01"):
        again = submit(description="增容还是没有落实。").appeal
        services.accept_appeal(desk, again)
        services.dispatch_appeal(desk, fresh(again), lead_unit=county.units["ndrc"])
        supervision.issue_action(as_actor(county.people["supervision"]), fresh(again), kind="urge", text="请立即签收办理")
        client = county.client("liaison")
        repeat_page, first_page = text(client.get(f"/appeals/{again.code}/")), text(client.get(f"/appeals/{first.code}/"))
    assert fresh(again).repeat_of == first
    assert f'href="/appeals/{first.code}/"' in repeat_page.split('data-testid="repeat-of"', 1)[1].split("</div>", 1)[0]
    assert "计入办结单位：县发展和改革局" in repeat_page
    assert f'href="/appeals/{again.code}/"' in first_page.split('data-testid="repeats"', 1)[1].split("</div>", 1)[0]
    records = repeat_page.split('data-testid="supervision"', 1)[1].split("</ul>", 1)[0]
    assert 'data-kind="urge"' in records and "赵督查" in records


def test_a_hidden_identity_is_not_given_away_by_the_enterprises_other_appeals(county, dispatched, submit, desk):
    """A repeat names the earlier appeal; for a unit reading a withheld identity neither its number nor a link
    shows (the earlier one may not be withheld, and would say who it is) — on the page and in the API."""
    unit = as_actor(county.people["liaison"])
    with at("2026-03-02"):
        first = dispatched()
        services.sign_appeal(unit, first)
        services.reply_appeal(unit, fresh(first), public_text="已解决", outcome=Outcome.RESOLVED)
        services.rate_appeal(desk, fresh(first), rating=Rating.SATISFIED)
    with at("2026-04-01"):
        again = submit(description="用电增容问题再次出现", identity_hidden=True).appeal
        services.accept_appeal(desk, again)
        services.dispatch_appeal(desk, fresh(again), lead_unit=county.units["ndrc"])
    assert fresh(again).repeat_of == first
    page = county.client("liaison").get(f"/appeals/{again.code}/").content.decode()
    assert first.code not in page and "原诉求不予显示" in page and "某某新材料有限公司" not in page
    detail = kit.api_client(county, "liaison").get(f"/api/v1/appeals/{again.code}").content.decode()
    assert first.code not in detail
    office = county.client("business").get(f"/appeals/{again.code}/").content.decode()
    assert first.code in office  # the business office sees who it is, and the link
