"""Fixtures shared by the whole suite."""
import itertools

import pytest
from mmengine.logging import MessageHub

_hub_ids = itertools.count()


@pytest.fixture(autouse=True)
def fresh_message_hub():
    """Each test starts with its own current MessageHub, so the epoch that an
    earlier test's Runner left in the global hub cannot put a model built
    outside a Runner into (or out of) its warm-up."""
    MessageHub.get_instance(f'lnl_mm_test_{next(_hub_ids)}')
    yield
