from django.urls import path

from duban.appeals.views import public

app_name = "appeal"

# The enterprise's pages, no account: the form, its result, the tracking page, the QR poster.
urlpatterns = [
    path("", public.intake, name="intake"),
    path("done/", public.done, name="done"),
    path("track/", public.track, name="track"),
    path("poster/", public.poster, name="poster"),
    path("poster.svg", public.poster_svg, name="poster_svg"),
    path("poster.png", public.poster_png, name="poster_png"),
]
