import pytest

from tests.importing.helpers import FileServer, openimmo_settings


@pytest.fixture(autouse=True)
def _fast_remote():
    # no waiting between download tries and short timeouts, so that tests stay fast
    with openimmo_settings(REMOTE_BACKOFF_SECONDS=0, REMOTE_TIMEOUT=3):
        yield


@pytest.fixture
def file_server():
    """A real HTTP server on 127.0.0.1; private addresses allowed for the test."""
    with FileServer() as server, openimmo_settings(REMOTE_ALLOW_PRIVATE_NETWORKS=True):
        yield server
