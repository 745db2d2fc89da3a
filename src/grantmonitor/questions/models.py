from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from grantmonitor.calls.models import Call, Project


class Topic(models.TextChoices):
    """What a sub-question asks, so the answer composer knows which section to write."""

    INSPECTION_STATUS = "inspection_status", _("status of the dossiers and their inspection")
    KPI_RESULTS = "kpi_results", _("KPIs and results")
    FINANCING = "financing", _("financing: allocated, net and difference")
    OTHER = "other", _("other (answered in words)")


class WrittenQuestion(models.Model):
    """A written question of a member of parliament to a minister (schriftelijke vraag)."""

    number = models.PositiveIntegerField(_("number"))
    session = models.CharField(
        _("parliamentary session"),
        max_length=9,
        help_text=_("The parliamentary year, e.g. 2017-2018; numbers restart each session."),
        validators=[
            RegexValidator(r"^\d{4}-\d{4}$", _("Write the session as two years, e.g. 2017-2018."))
        ],
    )
    date = models.DateField(_("date"))
    questioner = models.CharField(_("questioner"), max_length=200)
    minister = models.CharField(_("addressee (minister)"), max_length=200)
    portfolio = models.CharField(_("portfolio"), max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    text = models.TextField(_("introduction"), blank=True)
    call = models.ForeignKey(
        Call,
        verbose_name=_("call"),
        related_name="questions",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    refers_to = models.ForeignKey(
        "self",
        verbose_name=_("refers to earlier question"),
        related_name="referred_by",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    answer_date = models.DateField(_("answer date"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-number"]
        verbose_name = _("written question")
        verbose_name_plural = _("written questions")
        constraints = [
            models.UniqueConstraint(
                fields=["number", "minister", "session"],
                name="question_number_unique_per_minister_session",
                violation_error_message=_(
                    "This minister already has a question with this number in this session."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.session}) – {self.title or self.questioner}"


class SubQuestion(models.Model):
    question = models.ForeignKey(
        WrittenQuestion,
        verbose_name=_("question"),
        related_name="sub_questions",
        on_delete=models.CASCADE,
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    projects = models.ManyToManyField(
        Project,
        verbose_name=_("projects asked about"),
        related_name="sub_questions",
        blank=True,
    )
    answer_text = models.TextField(
        _("answer in words"),
        blank=True,
        help_text=_("Only for sub-questions of topic 'other'; the others are composed from data."),
    )

    class Meta:
        ordering = ["question", "number"]
        verbose_name = _("sub-question")
        verbose_name_plural = _("sub-questions")
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="subquestion_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question.number}.{self.number}"
