from pathlib import Path

import pytest
from django.utils import translation

DATA = Path(__file__).parent / "data"


@pytest.fixture
def english():
    """Messages in English, whatever the default language, so tests can read the reasons."""
    with translation.override("en"):
        yield
