"""What every page's shell needs: the signed-in person's unit and roles."""


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"me": user, "my_roles": user.role_labels}
