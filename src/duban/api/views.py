"""The page where each signed-in person creates and revokes their own API access tokens, and the security
admin's view of one person's tokens (with revoke-all)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.api import services
from duban.api.forms import TokenForm
from duban.api.models import ApiToken
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.models import User
from duban.core.permissions import role_required


@login_required
def token_list(request):
    """My tokens, and a form for a new one; a new token is shown in this one response and never again."""
    form = TokenForm(request.POST or None)
    new_token = created = None
    if request.method == "POST" and form.is_valid():
        try:
            created, new_token = services.create_token(Actor.from_request(request), name=form.cleaned_data["name"],
                                                       expires_at=form.expires_at())
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = TokenForm()
    now = timezone.now()
    tokens = [(t, t.status(now)) for t in ApiToken.objects.filter(user=request.user).select_related("user")]
    response = render(request, "api/tokens.html", {
        "form": form, "tokens": tokens, "new_token": new_token, "created": created,
        "api_root": request.build_absolute_uri("/api/v1/"), "max_days": settings.DUBAN_API_TOKEN_MAX_DAYS,
    })
    if new_token:
        response["Cache-Control"] = "no-store"  # the one page that holds the plain token: keep it out of caches
    return response


@login_required
@require_POST
def token_revoke(request, pk):
    """Revoke one of my tokens; someone else's is not found."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        services.revoke_token(Actor.from_request(request), token)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("令牌“%(name)s”已撤销，使用它的程序将无法再访问。") % {"name": token.name})
    return redirect("api_tokens")


# --- security admin ----------------------------------------------------------------------------------


@role_required(Role.SECADMIN)
def person_tokens(request, pk):
    """One person's tokens as the security admin sees them: purpose, prefix, use, expiry, state (never the token)."""
    person = get_object_or_404(User.objects.select_related("unit"), pk=pk)
    now = timezone.now()
    tokens = [(t, t.status(now)) for t in ApiToken.objects.filter(user=person).select_related("user")]
    return render(request, "api/person_tokens.html", {
        "person": person, "tokens": tokens, "working": sum(1 for _t, status in tokens if status == "active"),
        "unrevoked": sum(1 for t, _status in tokens if t.revoked_at is None),
    })


@role_required(Role.SECADMIN)
@require_POST
def person_tokens_revoke_all(request, pk):
    """Revoke every token of that person at once (a lost laptop, a person leaving); audited token by token."""
    person = get_object_or_404(User, pk=pk)
    try:
        count = services.revoke_all_tokens(Actor.from_request(request), person)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销%(name)s的全部 %(n)d 个访问令牌，使用它们的程序将无法再访问。") % {"name": person, "n": count})
    return redirect("api_person_tokens", pk=person.pk)
