import datetime

import pytest

from grantmonitor.kpis.models import Kpi
from grantmonitor.questions.models import Topic
from grantmonitor.questions.services import question_create, sub_question_add


@pytest.fixture
def ask(demo):
    """Ask a new question with one sub-question on ``topic`` about the given projects."""
    counter = iter(range(9000, 9100))

    def ask(topic: Topic, projects, *, answer_text: str = ""):
        question = question_create(
            number=next(counter),
            session="2018-2019",
            date=datetime.date(2018, 10, 1),
            questioner="Test Questioner",
            minister="Test Minister",
        )
        sub_question_add(
            question=question,
            number=1,
            text="Test?",
            topic=topic,
            projects=list(projects),
            answer_text=answer_text,
        )
        return question

    return ask


@pytest.fixture
def projects(demo):
    return {project.name: project for project in demo["call"].projects.all()}


@pytest.fixture
def kpi(demo):
    def kpi(project: str, name: str) -> Kpi:
        return Kpi.objects.get(project__name=project, name=name)

    return kpi
