"""Admin registration of the IS24 sub-app; views and viewsets live in their own modules."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet

from ..compat import register_permission_policy
from . import urls
from .models import IS24Connection, IS24Contact, IS24ListingState
from .viewsets import (
    IS24ContactViewSet,
    IS24ListingStateViewSet,
    IS24ViewSetGroup,
    listing_state_button_label,
)

# State rows hold the IS24 ids that prevent duplicates: looked at, never edited by hand.
register_permission_policy(IS24ListingState, IS24ListingStateViewSet.permission_policy)
register_permission_policy(IS24Contact, IS24ContactViewSet.permission_policy)
register_snippet(IS24ViewSetGroup)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("is24/", include(urls, namespace="wagtail_openimmo_is24"))]


@hooks.register("register_snippet_listing_buttons")
def connection_buttons(snippet, user, next_url=None):
    if isinstance(snippet, IS24Connection) and user.has_perm(
        "wagtail_openimmo_is24.change_is24connection"
    ):
        yield Button(
            _("Authorise again") if snippet.access_token else _("Authorise with ImmobilienScout24"),
            reverse("wagtail_openimmo_is24:authorise", args=[snippet.pk]),
            icon_name="link-external",
            priority=20,
        )


@hooks.register("register_page_header_buttons")
def listing_is24_buttons(page, user, view_name, next_url=None):
    """On a listing's admin pages: its IS24 state and, while published, its IS24 page."""
    from ..models import AbstractListingPage

    if not issubclass(page.specific_class or type(page), AbstractListingPage):
        return
    state = IS24ListingState.objects.filter(listing_id=page.pk).select_related("connection").first()
    if state is None or not user.has_perm("wagtail_openimmo_is24.view_is24listingstate"):
        return
    inspect = reverse(IS24ListingState.snippet_viewset.get_url_name("inspect"), args=[state.pk])
    yield Button(listing_state_button_label(state), inspect, icon_name="link-external", priority=90)
    if state.expose_url():
        yield Button(
            _("View on ImmobilienScout24"),
            state.expose_url(),
            icon_name="link-external",
            priority=91,
            attrs={"target": "_blank", "rel": "noopener noreferrer"},
        )
