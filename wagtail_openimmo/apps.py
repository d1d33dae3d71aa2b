from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailOpenImmoConfig(AppConfig):
    name = "wagtail_openimmo"
    label = "wagtail_openimmo"
    verbose_name = _("OpenImmo")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers checks, connects signals)
