"""/inbox/: the inbox, the units' group robots and the delivery log (namespace "notify")."""

from django.urls import path

from duban.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("read-all/", views.read_all, name="read_all"),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
]
