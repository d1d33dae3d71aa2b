"""Snippet choosers that only users with the app's permissions may open.

Wagtail's snippet chooser (``/admin/snippets/choose/<app>/<model>/``) lets every user with
admin access list a snippet model, whatever their permissions on it. For FTP accounts,
export targets and IS24 connections that gave editors without any OpenImmo permission
the account names and FTP hosts. These choosers answer 403 unless the user may add,
change, delete or view the model.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import chooser

ACTIONS = ["add", "change", "delete", "view"]


class _PermissionCheckMixin:
    def dispatch(self, request, *args, **kwargs):
        policy = ModelPermissionPolicy(self.model_class)
        if not policy.user_has_any_permission(request.user, ACTIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ChooseView(_PermissionCheckMixin, chooser.ChooseView):
    pass


class ChooseResultsView(_PermissionCheckMixin, chooser.ChooseResultsView):
    pass


class ChosenView(_PermissionCheckMixin, chooser.SnippetChosenView):
    pass


class ChosenMultipleView(_PermissionCheckMixin, chooser.SnippetChosenMultipleView):
    pass


class RestrictedSnippetChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
