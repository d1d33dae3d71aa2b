from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailOpenImmoIS24Config(AppConfig):
    name = "wagtail_openimmo.is24"
    label = "wagtail_openimmo_is24"
    verbose_name = _("ImmobilienScout24")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
