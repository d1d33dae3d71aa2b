"""Who may see the import log and start imports.

The run log is written by imports only: nobody adds, edits or deletes runs in the admin,
superusers included. Two permissions matter (assign them to groups in Settings → Groups):
``view_importrun`` ("Can view import run": the import log, held files and the dashboard
panel) and ``run_import`` ("Can start imports and approve held files": the "Run import now"
button, approving a broker and confirming a held file). Editors without them still edit
listing pages like any other page.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from wagtail.permission_policies import ModelPermissionPolicy

from .models import ImportRun

VIEW_LOG = "wagtail_openimmo.view_importrun"
RUN_IMPORT = "wagtail_openimmo.run_import"


class ImportRunPermissionPolicy(ModelPermissionPolicy):
    """Model permissions for ``ImportRun``, read-only, plus the custom ``run_import``."""

    READ_ONLY = ("add", "change", "delete")

    def user_has_permission(self, user, action):
        if action in self.READ_ONLY:
            return False
        if action == "run_import":
            return can_run_import(user)
        if action == "view":
            return can_view_log(user)
        return super().user_has_permission(user, action)


# The views and the import log's viewset carry this policy themselves (Wagtail 7 has no
# policy registry); on Wagtail 8 wagtail_hooks registers it too.
IMPORT_RUN_POLICY = ImportRunPermissionPolicy(ImportRun)


def can_view_log(user) -> bool:
    return user.is_active and (user.has_perm(VIEW_LOG) or user.has_perm(RUN_IMPORT))


def can_run_import(user) -> bool:
    return user.is_active and user.has_perm(RUN_IMPORT)


def importrun_permissions():
    """The ImportRun permissions offered on Wagtail's group edit page."""
    return Permission.objects.filter(
        content_type=ContentType.objects.get_for_model(ImportRun),
        codename__in=["view_importrun", "run_import"],
    )
