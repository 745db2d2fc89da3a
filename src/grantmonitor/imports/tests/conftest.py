from pathlib import Path

import pytest
from django.utils import translation

DATA = Path(__file__).parent / "data"


@pytest.fixture
def english():
    """Messages in English, so a test can read the reasons whatever the default language."""
    with translation.override("en"):
        yield


@pytest.fixture
def dutch():
    with translation.override("nl"):
        yield
