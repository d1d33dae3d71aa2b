"""Per-site front-end switches, edited under Settings in the Wagtail admin.

A multi-site install (one Wagtail, several agency homepages) may want the contact form on
one site and off on another, a map on one, its own privacy policy on each. Each field here
overrides one ``WAGTAIL_OPENIMMO`` setting for one site; a field left empty ("default") and a
site without a row of its own use the Python setting, so an install that never opens this
page behaves exactly as before. ``frontend.site_config`` resolves the values for a request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting

INHERIT = ""
ON = "on"
OFF = "off"
SWITCH_CHOICES = [
    (INHERIT, _("Default of the installation")),
    (ON, _("On")),
    (OFF, _("Off")),
]

# Which field overrides which boolean WAGTAIL_OPENIMMO setting.
SWITCHES = {
    "contact_form": "CONTACT_FORM_ENABLED",
    "search_agents": "SEARCH_AGENTS_ENABLED",
    "pdf_expose": "PDF_EXPOSE_ENABLED",
}


def validate_tile_url(value: str) -> None:
    """A tile URL template: http(s) with the placeholders {z}, {x} and {y}."""
    if not value.startswith(("https://", "http://")):
        raise ValidationError(_("Enter an address that starts with https://."))
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in value]
    if missing:
        raise ValidationError(
            _("The address needs the placeholders {z}, {x} and {y}; missing: %(missing)s."),
            params={"missing": ", ".join(missing)},
        )


def validate_link(value: str) -> None:
    """An absolute http(s) URL or a path on this site ("/datenschutz/")."""
    if not value.startswith(("https://", "http://", "/")):
        raise ValidationError(
            _("Enter an address that starts with https:// or a path such as /datenschutz/.")
        )


class SiteSettingsForm(WagtailAdminModelForm):
    """Names, next to "Default of the installation", what that default is today."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..conf import get_setting

        for name, setting in SWITCHES.items():
            if name in self.fields:
                default = _("on") if get_setting(setting) else _("off")
                self.fields[name].choices = [
                    (INHERIT, _("Default: %(value)s") % {"value": default}),
                    *SWITCH_CHOICES[1:],
                ]
        if "map" in self.fields:
            default = _("on") if get_setting("MAP_TILE_URL") else _("off")
            self.fields["map"].choices = [
                (INHERIT, _("Default: %(value)s") % {"value": default}),
                *SWITCH_CHOICES[1:],
            ]


class OpenImmoSiteSettings(BaseSiteSetting):
    """The front end's switches of one site (see the module docstring)."""

    base_form_class = SiteSettingsForm

    contact_form = models.CharField(
        _("contact form"),
        max_length=3,
        choices=SWITCH_CHOICES,
        blank=True,
        default=INHERIT,
        help_text=_(
            "The enquiry form on listing pages of this site. Off: no form, and enquiries "
            "sent to this site are refused."
        ),
    )
    privacy_policy_page = models.ForeignKey(
        getattr(settings, "WAGTAIL_PAGE_MODEL", "wagtailcore.Page"),
        verbose_name=_("privacy policy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The page the consent checkboxes of the contact and search-agent forms link to. "
            "Takes precedence over the address below."
        ),
    )
    privacy_policy_url = models.CharField(
        _("privacy policy address"),
        max_length=500,
        blank=True,
        validators=[validate_link],
        help_text=_(
            "Instead of a page: the address of the privacy policy (https://… or /path/). "
            "Empty: the installation's PRIVACY_POLICY_URL."
        ),
    )
    search_agents = models.CharField(
        _("search agents"),
        max_length=3,
        choices=SWITCH_CHOICES,
        blank=True,
        default=INHERIT,
        help_text=_(
            "“Get new listings by e-mail” on listing indexes and portal searches of this "
            "site. Off: no new search agents, and existing ones of this site get no mail."
        ),
    )
    map = models.CharField(
        _("map"),
        max_length=3,
        choices=SWITCH_CHOICES,
        blank=True,
        default=INHERIT,
        help_text=_(
            "The map on listing pages (loaded only after the visitor clicks “Load map”). "
            "On needs a tile server: the address below or the installation's MAP_TILE_URL."
        ),
    )
    map_tile_url = models.CharField(
        _("map tile server"),
        max_length=500,
        blank=True,
        validators=[validate_tile_url],
        help_text=_(
            "Address of the map tiles with {z}, {x} and {y}, e.g. "
            "https://tile.example.org/{z}/{x}/{y}.png. Empty: the installation's MAP_TILE_URL."
        ),
    )
    map_attribution = models.CharField(
        _("map attribution"),
        max_length=300,
        blank=True,
        help_text=_(
            "The tile provider's required attribution, shown under the map (plain text). "
            "Empty: the installation's MAP_ATTRIBUTION."
        ),
    )
    map_zoom = models.PositiveSmallIntegerField(
        _("map zoom level"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(19)],
        help_text=_("0 (the world) to 19 (a street). Empty: the installation's MAP_ZOOM."),
    )
    map_link = models.CharField(
        _("link “View on OpenStreetMap”"),
        max_length=3,
        choices=[(INHERIT, _("Default of the installation")), (OFF, _("Off"))],
        blank=True,
        default=INHERIT,
        help_text=_("A plain link to the location on a map site (MAP_LINK_URL)."),
    )
    pdf_expose = models.CharField(
        _("PDF exposé"),
        max_length=3,
        choices=SWITCH_CHOICES,
        blank=True,
        default=INHERIT,
        help_text=_("The link “Exposé (PDF)” on listing pages and the exposé itself."),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("contact_form"),
                FieldPanel("privacy_policy_page"),
                FieldPanel("privacy_policy_url"),
            ],
            heading=_("Contact form and privacy policy"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("map"),
                FieldPanel("map_tile_url"),
                FieldPanel("map_attribution"),
                FieldPanel("map_zoom"),
                FieldPanel("map_link"),
            ],
            heading=_("Map"),
        ),
        MultiFieldPanel(
            [FieldPanel("search_agents"), FieldPanel("pdf_expose")],
            heading=_("Further functions"),
        ),
    ]

    class Meta:
        verbose_name = _("OpenImmo website")
        verbose_name_plural = _("OpenImmo website")

    def clean(self):
        super().clean()
        from ..conf import get_setting

        if self.map == ON and not (self.map_tile_url or get_setting("MAP_TILE_URL")):
            raise ValidationError(
                {"map_tile_url": _("The map needs a tile server: enter its address.")}
            )
