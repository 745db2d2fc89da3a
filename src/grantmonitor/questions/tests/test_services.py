import datetime

import pytest
from django.core.exceptions import ValidationError

from grantmonitor.questions.models import WrittenQuestion
from grantmonitor.questions.selectors import AmbiguousQuestion, question_find
from grantmonitor.questions.services import question_create

BASE = {
    "date": datetime.date(2018, 3, 23),
    "questioner": "Güler Turan",
    "minister": "Philippe Muyters",
}


def test_same_number_same_minister_same_session_is_refused(demo):
    with pytest.raises(ValidationError) as error:
        question_create(number=418, session="2017-2018", **BASE)
    assert "al een vraag met dit nummer" in str(error.value)
    assert WrittenQuestion.objects.filter(number=418).count() == 1


def test_same_number_in_another_session_or_to_another_minister_is_fine(demo):
    question_create(number=418, session="2018-2019", **BASE)
    question_create(number=418, session="2017-2018", **{**BASE, "minister": "Hilde Crevits"})
    with pytest.raises(AmbiguousQuestion):
        question_find(number=418)
    assert question_find(number=418, session="2018-2019").session == "2018-2019"
    assert question_find(number=418, minister="Crevits").minister == "Hilde Crevits"


def test_session_must_be_two_years(db):
    with pytest.raises(ValidationError) as error:
        question_create(number=1, session="2018", **BASE)
    assert "session" in error.value.message_dict
