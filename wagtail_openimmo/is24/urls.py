"""Admin URLs of the IS24 sub-app (registered under the admin by ``wagtail_hooks.py``)."""

from django.urls import path

from . import views

app_name = "wagtail_openimmo_is24"
urlpatterns = [
    path("connections/<int:pk>/authorise/", views.authorise, name="authorise"),
    path("connections/<int:pk>/sync/", views.sync_now, name="sync_now"),
    path("oauth/callback/", views.oauth_callback, name="oauth_callback"),
]
