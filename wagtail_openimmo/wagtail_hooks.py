"""Admin registration only; the viewsets live in ``viewsets.py``."""

from wagtail.snippets.models import register_snippet

from .viewsets import BrokerViewSet

register_snippet(BrokerViewSet)
