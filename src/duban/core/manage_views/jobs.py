"""System admin: the periodic background jobs — when each last ran, how it went — and running one now."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from duban.core import jobs
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.manage_views.common import actor
from duban.core.models import JobRun
from duban.core.permissions import role_required

RECENT_RUNS = 50


@role_required(Role.SYSADMIN)
@require_GET
def job_list(request):
    """Every periodic job with its schedule and last run, the queue's length, and the latest runs of all."""
    periodic = jobs.periodic_jobs()
    last = jobs.last_runs(job.name for job in periodic)
    titles = {job.name: job.title for job in periodic}
    recent = list(JobRun.objects.all()[:RECENT_RUNS])
    for run in recent:
        run.title = titles.get(run.name, run.name)
    context = {
        "rows": [{"job": job, "last": last.get(job.name)} for job in periodic],
        "recent": recent,
        "queue": jobs.queue_description(),
        "waiting": jobs.queue_length(),
        "recent_size": RECENT_RUNS,
    }
    return render(request, "manage/job_list.html", context)


@role_required(Role.SYSADMIN)
@require_POST
def job_run_now(request, name):
    """Queue the job to run once now; a worker picks it up, and the list shows the run."""
    try:
        jobs.run_now(actor(request), name)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已加入任务队列：%(name)s。后台任务进程运行后，结果显示在下方。") % {"name": name})
    return redirect("manage_job_list")
