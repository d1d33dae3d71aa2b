import pytest
from django.contrib.auth.models import Group, Permission


def _user(django_user_model, username, *, groups=(), perms=()):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw")
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")


@pytest.fixture
def editor(django_user_model):
    """Wagtail's default Editors group: pages and images, nothing of this app."""
    return _user(django_user_model, "editor", groups=["Editors"])


@pytest.fixture
def log_viewer(django_user_model):
    return _user(django_user_model, "viewer", groups=["Editors"], perms=["view_importrun"])


@pytest.fixture
def operator(django_user_model):
    return _user(django_user_model, "operator", groups=["Editors"], perms=["run_import"])
