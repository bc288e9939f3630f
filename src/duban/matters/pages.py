"""One action page per transition, as every kind's views write it (projects, appeals, safety): the page found by
its slug, who may and the state checked as the runner checks them (`why_not`), the form shown (or why not), and
its POST calling the one service through `manage_forms.submit` — a refusal on the form, a lost update 409, success
back to the matter's page with the page's message. What is the kind's own (the forms, the service calls, the
guards beside the machine, the template and its context) each app passes in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.core.manage_forms import submit
from duban.matters import services as kernel


@dataclass(frozen=True)
class ActionPage:
    """One action page: the transition it takes (or, for an action beside the machine, who may and what they are
    told otherwise), its form, its one service call and what the user is told once it is done."""

    name: str  # the transition
    slug: str
    title: str
    form: type
    run: Callable  # (actor, matter, what the kind's view hands it: the form or its values) → the service call
    done: str
    style: str = "primary"
    files: bool = False
    may: Callable | None = None  # beside the machine: (matter, user) → bool
    refusal: str = ""
    form_kwargs: dict = field(default_factory=dict)


def page_for(pages: dict[str, ActionPage], slug: str) -> ActionPage:
    """The page `slug` names, else 404."""
    page = pages.get(slug)
    if page is None:
        raise Http404(_("没有这项操作。"))
    return page


def why_not(kind, matter, user, name: str, *, state: bool = True) -> tuple[str, int]:
    """Why `user` may not take transition `name` now and the status to answer with ("" and 200: they may): who
    may (the machine's refusal, 403), then, if `state`, the state (what it allows now, 200) — the order the
    runner refuses by."""
    transition = kind.machine.transitions[name]
    if not transition.permits(matter, user):
        return transition.refusal_for(kernel.word_of(kind), kind.code_of(matter)), 403
    if state:
        try:
            kind.machine.check(matter, name, noun=kind.noun)
        except ServiceError as exc:
            return exc.message, 200
    return "", 200


def action_view(request, page: ActionPage, matter, *, form, refusal: str, status: int, run: Callable, back: str,
                template: str, context: Callable[[object], dict], reload: Callable | None = None):
    """GET: the page's form, or why the user may not take it (`refusal`, answered with `status`); POST, allowed
    and valid: `run(actor)`, the one service call — back to `back` with the page's message, or the form again
    with the refusal on its field (`reload`, if given, reads the matter again: the rolled-back write may have
    touched the object). `context(matter)` is the template's own part; the act, form and refusal are added."""
    allowed, conflict = not refusal, ""
    if allowed and request.method == "POST" and form.is_valid():
        done, conflict, status = submit(form, lambda: run(Actor.from_request(request)))
        if done:
            messages.success(request, str(page.done))
            return redirect(back)
        if reload is not None:
            matter = reload()
    shared = {"act": page, "form": form, "allowed": allowed, "refusal": refusal, "conflict": conflict}
    return render(request, template, {**context(matter), **shared}, status=status)
