import os

# These tests need the swapped settings (a process of their own, started by
# tests/test_swapped_listing_model.py); the normal suite, on the default model, skips them.
if os.environ.get("DJANGO_SETTINGS_MODULE") != "tests.settings_swapped":
    collect_ignore_glob = ["test_*.py"]
else:
    from tests.importing.conftest import _fast_remote, file_server  # noqa: F401
