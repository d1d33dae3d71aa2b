"""Admin registration only; the viewsets live in ``viewsets.py``."""

from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet

from .models import FTPSettings
from .viewsets import BrokerViewSet, FTPAccountViewSet

register_snippet(BrokerViewSet)
register_snippet(FTPAccountViewSet)
register_setting(FTPSettings, icon="upload")
