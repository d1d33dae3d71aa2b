import pytest

from tests.helpers import make_broker


@pytest.fixture
def broker(db):
    return make_broker("acme")


@pytest.fixture
def other_broker(db):
    return make_broker("other")
