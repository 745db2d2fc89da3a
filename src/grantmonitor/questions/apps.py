from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionsConfig(AppConfig):
    name = "grantmonitor.questions"
    verbose_name = _("Parliamentary questions")
