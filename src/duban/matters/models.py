"""The abstract matter (事项): owner, clock, light and version shared by every kind that duban chases."""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.matters.choices import Light, Schedule


def due_sort_of(due_date: dt.date | None) -> dt.date:
    return due_date or dt.date.max


class MatterQuerySet(models.QuerySet):
    """Bulk writes that keep the derived columns (`Matter.DERIVED`) right, like save() and write() do."""

    def bulk_create(self, objs: Iterable, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.fill_derived()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Iterable, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        columns = [c for c, (sources, _f) in self.model.DERIVED.items() if not set(sources).isdisjoint(fields)]
        for obj in objs:
            for column, value in obj.derived({s: getattr(obj, s) for c in columns for s in self.model.DERIVED[c][0]}).items():
                setattr(obj, column, value)
        return super().bulk_update(objs, [*fields, *(c for c in columns if c not in fields)], *args, **kwargs)

    def update(self, **kwargs):
        # A source column set for many rows at once: derive what follows from the values given, or refuse
        # (a task's search text also depends on its own code, which an UPDATE of many rows does not know).
        kwargs.update(self.model.derived({k: v for k, v in kwargs.items() if k not in self.model.DERIVED}, given=kwargs))
        return super().update(**kwargs)


class Matter(models.Model):
    """Fields every kind of matter carries; a kind adds its own `state` choices and owner columns."""

    # Derived columns: name → (the fields it is computed from, the function of their values). Computed in one
    # place, `derived()`, whenever a source is written: by save(), matters.machine.write(), and the bulk
    # writes of MatterQuerySet. A kind adds its own (ledger.Task: search_text).
    DERIVED: ClassVar[dict[str, tuple[tuple[str, ...], Callable[..., Any]]]] = {
        "due_sort": (("due_date",), due_sort_of),
        # A moved due date (an extension, an edit, a resumed pause) puts the ladder's next look back to "now".
        "ladder_next_on": (("due_date",), lambda _due: None),
    }

    # No single-column indexes on state and light: each kind's composite indexes lead with them (ledger:
    # (state, due_sort, id), (light, state)), and every extra index is written on every relight.
    state = models.CharField(_("状态"), max_length=24)
    # Optimistic lock: every write is `UPDATE … WHERE version = read_version` (see matters.machine).
    version = models.PositiveIntegerField(_("版本"), default=1)

    # --- owner (SPEC §2: responsible unit, leader in charge, responsible person) ---------------
    # Named as the ledger names them; a kind whose users say 承办单位 overrides the field's label only.
    # Related names follow the kind: Unit.led_tasks, User.led_tasks, User.responsible_tasks for ledger.Task.
    lead_unit = models.ForeignKey("core.Unit", verbose_name=_("牵头单位"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="led_%(class)ss")
    leader_in_charge = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("牵头县领导"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="led_%(class)ss")
    responsible_person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="responsible_%(class)ss")
    responsible_name = models.CharField(_("责任人"), max_length=60, blank=True)  # a name not (yet) an account

    # --- clock -------------------------------------------------------------------------------
    start_date = models.DateField(_("开始日期"), default=timezone.localdate)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    # due_date with "no deadline" as the last day there is: lists sort and page on (due_sort, id) with
    # one index on both databases (NULLs sort first in SQLite and last in PostgreSQL).
    due_sort = models.DateField(default=dt.date.max, editable=False)
    report_cycle = models.CharField(_("报送周期"), max_length=20, blank=True)
    last_report_on = models.DateField(_("最近报送"), null=True, blank=True)
    next_report_due = models.DateField(_("下次报送期限"), null=True, blank=True)
    paused_since = models.DateField(_("挂起日期"), null=True, blank=True)
    pause_reason = models.CharField(_("挂起原因"), max_length=300, blank=True)
    # Each approved extension starts a new deadline cycle; escalation steps fire once per cycle.
    deadline_cycle = models.PositiveIntegerField(_("时限周期"), default=1)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    # The moment of the matter's latest restart event (its kind's Obstruction.restart_events: 立账交办, 退回,
    # 恢复计时 …), kept beside last_report_on by the runner (matters.services.perform) and by bulk writers
    # (matters.obstruction.refresh_restarts), so that 久拖未报 is a range condition on the row rather than a
    # probe of the timeline for every open matter (issue 14: ~0.5 s at 100k tasks).
    last_restart_at = models.DateTimeField(null=True, blank=True, editable=False)

    # --- light (stored for fast lists; recomputed on every state or clock change and by the sweep) --
    progress = models.PositiveSmallIntegerField(_("进度%"), default=0)
    light = models.CharField(_("亮灯"), max_length=8, choices=Light.choices, default=Light.GREEN)
    light_reason = models.CharField(_("亮灯原因"), max_length=120, blank=True)
    schedule = models.CharField(_("序时进度"), max_length=12, choices=Schedule.choices, blank=True)
    under_notice = models.BooleanField(_("督办中"), default=False)
    light_checked_on = models.DateField(null=True, blank=True, editable=False)
    # --- escalation (supervision.sweep) -------------------------------------------------------
    # The next day the sweep must look at this matter's ladder; NULL: look at the next sweep (new, or the
    # due date moved). Keeps a sweep from reading every open matter when nothing is due.
    ladder_next_on = models.DateField(null=True, blank=True, editable=False, db_index=True)

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        abstract = True

    @classmethod
    def derived(cls, changes: Mapping[str, Any], row: models.Model | None = None, *, given: Mapping[str, Any] = ()) -> dict[str, Any]:
        """The derived columns that `changes` (field → new value) affects, computed from their sources.

        A source not in `changes` is read from `row` (the instance being updated). Without `row`, every
        source of an affected column must be in `changes`, unless the column itself is in `given` (the caller
        sets it). Refuses a source given as an expression (F() + 1): its value is only known to the database.
        """
        result = {}
        for column, (sources, compute) in cls.DERIVED.items():
            if column in given or set(sources).isdisjoint(changes):
                continue
            values = []
            for source in sources:
                if source in changes:
                    value = changes[source]
                elif row is not None:
                    value = getattr(row, source)
                else:
                    raise ValueError(
                        f"{cls.__name__}.{column} is derived from {', '.join(sources)}: write them together, "
                        f"or one row at a time through save() or matters.machine.write()"
                    )
                if hasattr(value, "resolve_expression"):
                    raise ValueError(f"{cls.__name__}.{column} is derived from {source}, which cannot be an expression")
                values.append(value)
            result[column] = compute(*values)
        return result

    def fill_derived(self, fields: Iterable[str] | None = None) -> list[str]:
        """Set the derived columns from this instance's own values (those with a source in `fields`, if
        given); returns the columns set."""
        wanted = set(fields) if fields is not None else None
        sources = {s for c, (srcs, _f) in self.DERIVED.items() for s in srcs if wanted is None or not wanted.isdisjoint(srcs)}
        values = self.derived({s: getattr(self, s) for s in sources})
        for column, value in values.items():
            setattr(self, column, value)
        return list(values)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.fill_derived()
        else:
            columns = self.fill_derived(update_fields)
            kwargs["update_fields"] = [*update_fields, *(c for c in columns if c not in update_fields)]
        super().save(*args, **kwargs)

    @property
    def responsible_display(self) -> str:
        return self.responsible_person.full_name if self.responsible_person_id else self.responsible_name

    @property
    def events(self) -> models.QuerySet:
        """This matter's timeline (MatterEvent), oldest first."""
        return MatterEvent.objects.of(self)

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


class MatterEventQuerySet(models.QuerySet):
    def of(self, matter) -> models.QuerySet:
        """The timeline of one matter, whatever its kind."""
        from duban.matters import registry

        return self.filter(kind=registry.for_model(type(matter)).key, matter_id=matter.pk)


class MatterEvent(models.Model):
    """One line of a matter's timeline, for every kind (SPEC §2), written by the transition runner
    (`matters.services.perform`) in the transaction of the change. The timeline pages, the 中梗阻 analytics
    (dwell per unit and step, send-backs, idle matters) and the scoring trace read this one stream."""

    kind = models.CharField(_("事项类型"), max_length=40)  # registry key, "ledger.task"
    matter_id = models.PositiveBigIntegerField(_("事项"))
    # The unit holding the matter after the event (its lead unit then): dwell and send-backs count against it.
    unit = models.ForeignKey("core.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    person_name = models.CharField(_("办理人"), max_length=80)  # as it was (a system job has no account)
    event = models.CharField(_("事件"), max_length=40)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    text = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = MatterEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["kind", "matter_id", "at"], name="matterevent_matter_at_idx"),
            # unit and matter too: the 中梗阻 numbers (returns and passings-on by unit, the pauses) are read from
            # the index alone, ~40 ms each → a few at 100k events on SQLite, where the planner otherwise walked
            # every event of the kind in matter order (issue 14).
            models.Index(fields=["kind", "event", "at", "unit", "matter_id"], name="matterevent_event_at_idx"),
        ]

    def __str__(self):
        return f"{self.kind}#{self.matter_id} {self.event}"

    @property
    def label(self) -> str:
        """The event in the users' words ("签收"), as its kind names it."""
        from duban.matters import registry

        try:
            return registry.get(self.kind).event_label(self.event)
        except KeyError:
            return self.event
