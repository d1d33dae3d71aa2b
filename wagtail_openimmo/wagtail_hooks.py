"""Admin registration only; the viewsets live in ``viewsets.py``, the views in ``views/``."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .models import ImportRun
from .permissions import ImportRunPermissionPolicy, can_view_log
from .views.dashboard import ImportRunsPanel
from .viewsets import OpenImmoViewSetGroup

# Before any viewset asks for the fallback policy.
register_permission_policy(ImportRun, ImportRunPermissionPolicy(ImportRun))

# register_snippet registers the whole group: the Broker snippet viewset and the plain
# admin viewsets in it alike.
register_snippet(OpenImmoViewSetGroup)


@hooks.register("construct_homepage_panels")
def add_import_runs_panel(request, panels):
    if can_view_log(request.user):
        panels.append(ImportRunsPanel())
