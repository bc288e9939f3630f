"""Reads of the supervision app: the ladders in force, actions within a user's scope."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from duban.core.paging import BadCursor, KeysetPage
from duban.matters import registry
from duban.supervision import ladder as rungs
from duban.supervision.filters import KEYSET, ORDER, ActionFilter
from duban.supervision.models import Ladder, SupervisionAction


def default_ladders(key: str) -> dict[bool, list[rungs.Step]]:
    """{major: steps} a kind starts with before the office edits its ladders (MatterKind.default_ladder)."""
    try:
        kind = registry.get(key)
    except KeyError:
        kind = None
    own = {False: getattr(kind, "default_ladder", ()), True: getattr(kind, "default_major_ladder", ())}
    return {major: [rungs.Step(*rung) for rung in own[major]] or list(rungs.MAJOR if major else rungs.DEFAULT)
            for major in (False, True)}


def ladders_by_kind(kind: str) -> dict[bool, list[rungs.Step]]:
    """{major: steps} for a kind of matter: the office's edited ladders, else the kind's own defaults, else
    those of SPEC §4."""
    found = default_ladders(kind)
    for ladder in Ladder.objects.filter(kind=kind).prefetch_related("steps"):
        found[ladder.major] = [
            rungs.Step(s.kind, s.offset, s.reply_days, s.target) for s in ladder.steps.all() if s.enabled
        ]
    return found


def action_filter(request, params) -> ActionFilter:
    """The 督办记录 list's one FilterSet over the actions the requesting user may see: the page, the API and
    the export each build it here, so that all three show the same rows for the same parameters."""
    return ActionFilter(params, queryset=SupervisionAction.objects.visible_to(request.user), request=request)


def page_of(actions: QuerySet, cursor: str | None, size: int) -> KeysetPage:
    """One page of the list, newest first, after (or before) `cursor`. A cursor whose values do not read as
    this ordering's (a date that is no date: hand-edited) is refused like any other bad cursor, not a 500."""
    try:
        return KEYSET.page(actions, cursor=cursor or None, size=size)
    except ValidationError:
        raise BadCursor(_("翻页参数无效，请从第一页重新浏览。")) from None


# What a matter's page shows of each action (only these: compiling the ORDER BY hashes every selected column).
MATTER_ACTION_COLUMNS = ("id", "kind", "state", "number", "automatic", "issued_on", "reply_due", "issued_by__full_name")


def actions_for_matter(matter, user) -> list[SupervisionAction]:
    """The 督办记录 of one matter the user may see (its page shows them), newest first."""
    return list(SupervisionAction.objects.visible_to(user).filter(
        matter_type=ContentType.objects.get_for_model(type(matter)), matter_id=matter.pk,
    ).select_related("issued_by").only(*MATTER_ACTION_COLUMNS).order_by(*ORDER)[:50])


def document_issuer() -> str:
    """The office that signs its documents (the notices, the bulletins): DUBAN_NOTICE_ISSUER."""
    from duban.supervision.notices import issuer_name

    return issuer_name()


# The 中梗阻 figures of a unit (supervision.analytics), for the pages of other apps (the unit profile).
from duban.supervision.analytics import DEFAULT_IDLE_DAYS, analysed_kinds, columns, links, unit_figures  # noqa: E402

__all__ = ["DEFAULT_IDLE_DAYS", "action_filter", "actions_for_matter", "analysed_kinds", "columns", "default_ladders",
           "document_issuer", "ladders_by_kind", "links", "page_of", "unit_figures"]
