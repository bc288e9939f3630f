"""Background jobs: periodic jobs that fire once across all nodes, and enqueueing a job after commit.

Jobs run on huey (`huey.contrib.djhuey`): the queue is an SQLite file in the data dir on one machine and
Redis (`DUBAN_REDIS_URL`) beyond it. Every consumer — the one `duban serve` embeds and each `duban worker`
— runs huey's scheduler, so on several nodes each of them enqueues a periodic job when its minute comes.
The job still runs once: before its body runs, the worker claims the slot (job name, scheduled minute) by
inserting a `JobRun` row under a unique constraint in the shared database; a second node's copy finds the
row and skips. The row then records how the run went, for the system admin's 后台任务 page.

    from duban.core.jobs import crontab, periodic

    @periodic(crontab(minute="*/5"), name="supervision.sweep")
    def sweep_job(now):
        '''Fire the escalation ladder's due steps.'''
        sweep(now)

The body receives the slot as `now` (an aware datetime): periodic work is a pure function of `now`, so a
slot's run does the same whenever a worker gets to it. Schedules are read in TIME_ZONE (北京时间).
Jobs live in each app's `tasks.py`, which the worker loads by itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from huey import crontab as huey_crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import JobState, JobTrigger, Role
from duban.core.errors import ServiceError
from duban.core.models import JobRun
from duban.core.services import require_role

log = logging.getLogger("duban.jobs")


# --- schedules ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """A crontab in local time (TIME_ZONE); `schedule(moment)` tells whether a local minute is one of its slots."""

    minute: str = "*"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"
    do_not_call_in_templates = True  # a template shows the schedule; calling it would ask "is this minute due?"

    def __post_init__(self):
        object.__setattr__(self, "_matches", huey_crontab(self.minute, self.hour, self.day, self.month, self.day_of_week, strict=True))

    def __call__(self, moment: dt.datetime) -> bool:
        return self._matches(moment)

    def __str__(self):
        return f"{self.minute} {self.hour} {self.day} {self.month} {self.day_of_week}"

    def describe(self) -> str:
        """The schedule in words for the common shapes, else the crontab itself."""
        m, h, d, mo, w = self.minute, self.hour, self.day, self.month, self.day_of_week
        if (d, mo, w) == ("*", "*", "*"):
            if m.isdigit() and h.isdigit():
                return _("每天 %(hour)02d:%(minute)02d") % {"hour": int(h), "minute": int(m)}
            if m.isdigit() and h == "*":
                return _("每小时第 %(minute)s 分") % {"minute": int(m)}
            if m.startswith("*/") and h == "*":
                return _("每 %(minutes)s 分钟") % {"minutes": m[2:]}
            if m == "*" and h == "*":
                return _("每分钟")
        return f"crontab {self}"


def crontab(minute="*", hour="*", day="*", month="*", day_of_week="*") -> Schedule:
    """huey's crontab (day_of_week 0 = Sunday), read in local time."""
    return Schedule(str(minute), str(hour), str(day), str(month), str(day_of_week))


def local_minute(timestamp: dt.datetime) -> dt.datetime:
    """huey's scheduler timestamp (naive; UTC when HUEY is in UTC mode) as an aware local minute."""
    aware = timestamp.replace(tzinfo=dt.UTC) if HUEY.utc else timezone.make_aware(timestamp)
    return timezone.localtime(aware).replace(second=0, microsecond=0)


# --- periodic jobs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicJob:
    """A job the scheduler fires: its name, schedule, the body (a function of `now`) and the huey task."""

    name: str
    schedule: Schedule
    body: object
    task: object

    @property
    def title(self) -> str:
        """The first line of the body's docstring: what the job is for, as the admin page shows it."""
        return (self.body.__doc__ or self.name).strip().splitlines()[0]


_jobs: dict[str, PeriodicJob] = {}
_discovered = False


def periodic(schedule: Schedule, *, name: str, retries: int = 0, retry_delay: int = 60):
    """Make `body(now)` a periodic job: fired by every node's scheduler, run once per slot across all of them."""
    if not isinstance(schedule, Schedule):
        raise TypeError("periodic() takes duban.core.jobs.crontab(...), which reads the schedule in local time")

    if not 0 < len(name) <= 40:
        raise ValueError("a periodic job's name has 1 to 40 characters (the audit trail keeps it as an object id)")

    def decorator(body):
        if name in _jobs and _jobs[name].body is not body:
            raise ValueError(f"two periodic jobs are named {name!r}")

        def run(slot: str | None = None, requested_by: str = "", task=None):
            return run_slot(name, body, slot=slot, requested_by=requested_by, task_id=task.id if task else "")

        run.__module__ = body.__module__
        run.__doc__ = body.__doc__
        wrapper = db_periodic_task(schedule, name=name, context=True, retries=retries, retry_delay=retry_delay)(run)

        # huey asks each fresh task instance whether it is due at the scheduler's timestamp, then enqueues
        # that instance: the slot is written into its arguments here, so every node's copy names the same slot
        # however late a worker gets to it.
        def validate_datetime(task, timestamp):
            minute = local_minute(timestamp)
            if not schedule(minute.replace(tzinfo=None)):
                return False
            task.kwargs = {**task.kwargs, "slot": minute.isoformat()}
            return True

        wrapper.task_class.validate_datetime = validate_datetime
        _jobs[name] = PeriodicJob(name=name, schedule=schedule, body=body, task=wrapper)
        return wrapper

    return decorator


def periodic_jobs() -> list[PeriodicJob]:
    """Every periodic job of every app (their `tasks.py` modules loaded first), by name."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return sorted(_jobs.values(), key=lambda job: job.name)


def get_job(name: str) -> PeriodicJob:
    periodic_jobs()
    try:
        return _jobs[name]
    except KeyError:
        raise ServiceError(_("没有名为“%(name)s”的后台任务。") % {"name": name}) from None


def node_name() -> str:
    """This process as a run records it: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(name: str, slot: dt.datetime, *, task_id: str = "", trigger: str = JobTrigger.SCHEDULE, requested_by: str = "") -> JobRun | None:
    """Take the slot for this process, or None if another run has it.

    The first insert of (name, slot) wins; a concurrent second one waits for it and then fails on the unique
    constraint. A huey retry of the same task (same `task_id`) may take back its own failed slot.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                name=name, slot=slot, trigger=trigger, requested_by=requested_by[:80], task_id=task_id,
                node=node_name(), started_at=now,
            )
    except IntegrityError:
        pass
    if task_id:
        retaken = JobRun.objects.filter(name=name, slot=slot, task_id=task_id, state=JobState.FAILED).update(
            state=JobState.RUNNING, node=node_name(), started_at=now, finished_at=None, message="", attempts=F("attempts") + 1,
        )
        if retaken == 1:
            return JobRun.objects.get(name=name, slot=slot)
    return None


def run_slot(name: str, body, *, slot: str | None, requested_by: str = "", task_id: str = "") -> bool:
    """Claim the slot and run `body(now)`; record the outcome. False when another run had the slot.

    A manual run carries the moment it was asked for as its slot.
    A failure is recorded and raised again, so that huey logs it and retries if the job asks for retries.
    """
    if slot:
        now = dt.datetime.fromisoformat(slot)
    else:  # a copy the scheduler did not stamp: the current minute, which the copies of other nodes share too
        now = timezone.localtime().replace(second=0, microsecond=0)
    trigger = JobTrigger.MANUAL if requested_by else JobTrigger.SCHEDULE
    run = claim(name, now, task_id=task_id, trigger=trigger, requested_by=requested_by)
    if run is None:
        log.info("periodic job %s: slot %s already taken by another run, skipped", name, now.isoformat())
        return False
    try:
        result = body(now)
    except Exception as exc:
        _finish(run, JobState.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    _finish(run, JobState.SUCCESS, "" if result is None else str(result))
    return True


def _finish(run: JobRun, state: str, message: str) -> None:
    try:
        JobRun.objects.filter(pk=run.pk).update(state=state, finished_at=timezone.now(), message=message[:500])
    except Exception:  # the database may be what failed; the run stays "running" and the log says why
        log.exception("periodic job %s: could not record its outcome (%s)", run.name, state)


def last_runs(names) -> dict[str, JobRun]:
    """The latest run of each named job (two queries, whatever the number of jobs)."""
    ids = JobRun.objects.filter(name__in=list(names)).values("name").annotate(last=Max("id")).values_list("last", flat=True)
    return {run.name: run for run in JobRun.objects.filter(id__in=list(ids))}


@transaction.atomic
def run_now(actor: Actor, name: str) -> None:
    """Queue a periodic job to run once now, outside its schedule (system admin); audited."""
    require_role(actor, Role.SYSADMIN, action=_("手动运行后台任务"))
    job = get_job(name)
    requested_at = timezone.now()
    audit.record(actor, "job.run_now", object_type="core.JobRun", object_id=name, object_repr=job.title,
                 message=f"手动运行后台任务 {name}")
    enqueue_on_commit(job.task, slot=requested_at.isoformat(), requested_by=actor.name or "system")


# --- enqueueing -----------------------------------------------------------------------------------------


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task(*args, **kwargs)` once the current transaction commits (at once outside one).

    A job that reads what the transaction wrote must not start before it is committed, and must not run at
    all if it rolls back. If the queue cannot be reached the change stays committed and the error is logged.
    """

    def enqueue():
        try:
            task(*args, **kwargs)
        except Exception:
            log.exception("could not queue job %s", getattr(task, "name", task))

    transaction.on_commit(enqueue)


def queue_length() -> int | None:
    """Jobs waiting in the queue now, or None if the queue cannot be reached."""
    try:
        return HUEY.pending_count()
    except Exception:
        log.warning("job queue unreachable", exc_info=True)
        return None


def queue_description() -> str:
    """Where the queue lives, for start-up lines and the admin page (a Redis password is hidden)."""
    if settings.REDIS_URL:
        from urllib.parse import urlsplit

        url = urlsplit(settings.REDIS_URL)
        if url.password:
            url = url._replace(netloc=url.netloc.replace(f":{url.password}@", ":***@"))
        return f"Redis {url.geturl()}（队列 {HUEY.name}）"
    return f"SQLite {settings.HUEY['filename']}（仅限本机）"


# --- the consumer -----------------------------------------------------------------------------------------


def make_consumer(**options):
    """huey's consumer for `duban worker`, except that SIGTERM lets running jobs finish, as Ctrl+C does.

    huey's own SIGTERM abandons running jobs, and systemd, Docker and `duban serve` stop with SIGTERM:
    a deploy would then lose the notices being sent. A job that never ends is still stopped by the
    supervisor's kill timeout (systemd's TimeoutStopSec, `duban serve`'s 30 s).
    """
    from huey.consumer import Consumer

    class GracefulConsumer(Consumer):
        def _handle_stop_signal(self, sig_num, frame):
            self._handle_interrupt_signal_gevent(sig_num, frame)

    return GracefulConsumer(HUEY, **options)
