"""What the API shows and accepts. Reads come from selectors; each write serializer validates
its input and calls one service, turning the service's refusal into field errors (400)."""

import dataclasses
import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from grantmonitor.calls.models import Call, Project
from grantmonitor.common.suppression import Figure
from grantmonitor.documents.render import FORMATS
from grantmonitor.dossiers import services as dossier_services
from grantmonitor.dossiers.models import (
    Advance,
    CostLine,
    Dossier,
    DossierStatus,
    DossierStatusChange,
    Settlement,
)
from grantmonitor.dossiers.models import Verdict as CostVerdict
from grantmonitor.kpis.models import KpiValue, ValueSource
from grantmonitor.kpis.rules import Verdict
from grantmonitor.kpis.services import kpi_value_record
from grantmonitor.organisations.models import Organisation
from grantmonitor.questions.models import SubQuestion, WrittenQuestion
from grantmonitor.questions.selectors import answer_deadline, question_is_overdue
from grantmonitor.register.models import (
    ActivityKind,
    CharacteristicCode,
    Gender,
    Participant,
    characteristic_codes,
)

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
COMPUTED = {"max_digits": None, "decimal_places": None, "allow_null": True, "read_only": True}


def call_service(service, **kwargs):
    """Run a service; its ``ValidationError`` becomes a 400 with the same field errors."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise serializers.ValidationError({NON_FIELD: exc.messages}) from exc
        raise serializers.ValidationError(
            {
                NON_FIELD if field == NON_FIELD_ERRORS else field: messages
                for field, messages in exc.message_dict.items()
            }
        ) from exc


# --- calls and projects -------------------------------------------------------------------


class CallSerializer(serializers.ModelSerializer):
    target_groups = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "minister",
            "portfolio",
            "start_date",
            "end_date",
            "duration_months",
            "budget",
            "number_of_projects",
            "target_groups",
        ]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    promoter = serializers.CharField(source="promoter.name", read_only=True)
    partners = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "call",
            "name",
            "title",
            "promoter",
            "partners",
            "start_date",
            "end_date",
            "duration_months",
        ]
        read_only_fields = fields


# --- KPIs ----------------------------------------------------------------------------------


class FiguresSerializer(serializers.Serializer):
    value = serializers.DecimalField(**COMPUTED)
    baseline = serializers.DecimalField(**COMPUTED)
    percent = serializers.DecimalField(**COMPUTED)
    numerator = serializers.DecimalField(**COMPUTED)
    denominator = serializers.DecimalField(**COMPUTED)


class BreakdownCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    side = serializers.CharField()
    rule = serializers.CharField()
    parent = serializers.DecimalField(**COMPUTED)
    children_total = serializers.DecimalField(**COMPUTED)
    children_max = serializers.DecimalField(**COMPUTED)


class KpiRowSerializer(serializers.Serializer):
    """One KPI with its current value and the verdict the KPI rules gave it."""

    id = serializers.IntegerField(source="kpi.pk")
    name = serializers.CharField(source="kpi.name")
    name_en = serializers.CharField(source="kpi.name_en")
    track = serializers.IntegerField(source="kpi.track_id", allow_null=True)
    parent = serializers.IntegerField(source="kpi.parent_id", allow_null=True)
    depth = serializers.IntegerField()
    kind = serializers.CharField(source="kpi.kind")
    unit = serializers.CharField(source="kpi.unit")
    higher_is_better = serializers.BooleanField(source="kpi.higher_is_better")
    objective = FiguresSerializer(source="kpi.objective")
    objective_text = serializers.CharField(source="kpi.objective_text")
    realised = FiguresSerializer()
    narrative = serializers.CharField()
    source = serializers.CharField()
    recorded_at = serializers.DateTimeField(source="value.recorded_at", allow_null=True)
    verdict = serializers.ChoiceField(
        choices=[v.value for v in Verdict], source="assessment.verdict"
    )
    achievement_percent = serializers.DecimalField(source="assessment.score_percent", **COMPUTED)
    checks = BreakdownCheckSerializer(many=True)
    suppressed = serializers.SerializerMethodField(
        help_text="For a reader who sees counts of people as published: '< 5' (or '≥ 5' for a "
        "count hidden to protect a small one) when the realised count is hidden; then the "
        "realised value, the achievement and the breakdown checks are left out. Else null."
    )

    def _hidden(self, row) -> Figure | None:
        """The published figure of the row's realised count, when the context's reader may
        not see it (``figures`` in the context: ``documents.opendata.people_figures``)."""
        figure = (self.context.get("figures") or {}).get(("kpi", row.kpi.pk))
        return figure if figure is not None and figure.hidden else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_suppressed(self, row) -> str | None:
        figure = self._hidden(row)
        return figure.label if figure is not None else None

    def to_representation(self, row):
        data = super().to_representation(row)
        if data["suppressed"] is not None:
            data["realised"]["value"] = None
            data["achievement_percent"] = None
            data["checks"] = []
        return data


class KpiValueSerializer(serializers.ModelSerializer):
    """A reported realised value; the latest one of a period is the KPI's current value."""

    class Meta:
        model = KpiValue
        fields = [
            "id",
            "kpi",
            "value",
            "baseline",
            "numerator",
            "denominator",
            "narrative",
            "evidence",
            "period_start",
            "period_end",
            "source",
            "recorded_at",
            "recorded_by",
        ]
        read_only_fields = ["id", "kpi", "source", "recorded_at", "recorded_by"]

    def create(self, validated_data):
        return call_service(
            kpi_value_record,
            kpi=self.context["kpi"],
            source=ValueSource.REPORTED,
            actor=self.context["request"].user,
            **validated_data,
        )


# --- dossiers ------------------------------------------------------------------------------


class StatusChangeSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    actor = serializers.CharField(source="actor.username", allow_null=True, read_only=True)

    class Meta:
        model = DossierStatusChange
        fields = ["status", "status_display", "changed_on", "actor", "note"]
        read_only_fields = fields


class SettlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Settlement
        fields = [
            "accepted_direct",
            "overhead",
            "revenues",
            "eligible",
            "net",
            "advances_paid",
            "balance",
            "order_kind",
            "settled_on",
            "executed_on",
        ]
        read_only_fields = fields


class DossierSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    current_status = serializers.ChoiceField(
        choices=DossierStatus.choices, allow_null=True, read_only=True
    )
    difference = serializers.DecimalField(**(COMPUTED | {"max_digits": 14, "decimal_places": 2}))
    settlement = SettlementSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Dossier
        fields = [
            "id",
            "project",
            "project_name",
            "reference",
            "current_status",
            "allocated_amount",
            "net_amount",
            "difference",
            "subsidy_rate",
            "overhead_rate",
            "settlement",
        ]
        read_only_fields = fields


class DossierDetailSerializer(DossierSerializer):
    history = serializers.SerializerMethodField()

    class Meta(DossierSerializer.Meta):
        fields = [*DossierSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(StatusChangeSerializer(many=True))
    def get_history(self, dossier):
        return StatusChangeSerializer(self.context["history"], many=True).data


STEPS = {
    "submit_cost_statement": dossier_services.cost_statement_submit,
    "start_inspection": dossier_services.inspection_start,
    "complete_inspection": dossier_services.inspection_complete,
    "settle": dossier_services.dossier_settle,
    "pay_balance": dossier_services.settlement_pay,
    "record_recovery": dossier_services.settlement_record_recovery,
    "close": dossier_services.dossier_close,
}


class DossierStepSerializer(serializers.Serializer):
    """Move a dossier one step along its path; the dossier rules decide whether it may."""

    step = serializers.ChoiceField(choices=list(STEPS))
    on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def create(self, validated_data):
        call_service(
            STEPS[validated_data["step"]],
            dossier=self.context["dossier"],
            on=validated_data["on"],
            note=validated_data["note"],
            actor=self.context["request"].user,
        )
        return validated_data


# --- questions and answers -----------------------------------------------------------------


class SubQuestionSerializer(serializers.ModelSerializer):
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = SubQuestion
        fields = ["number", "text", "topic", "projects", "answer_text"]
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer):
    answer_deadline = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = WrittenQuestion
        fields = [
            "id",
            "number",
            "session",
            "date",
            "questioner",
            "minister",
            "portfolio",
            "title",
            "call",
            "refers_to",
            "answer_date",
            "answer_deadline",
            "overdue",
        ]
        read_only_fields = fields

    def get_answer_deadline(self, question) -> datetime.date:
        return answer_deadline(asked_on=question.date)

    def get_overdue(self, question) -> bool:
        return question_is_overdue(question=question)


class QuestionDetailSerializer(QuestionSerializer):
    sub_questions = SubQuestionSerializer(many=True, read_only=True)
    answer = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField()

    class Meta(QuestionSerializer.Meta):
        fields = [*QuestionSerializer.Meta.fields, "text", "sub_questions", "answer", "downloads"]
        read_only_fields = fields

    def _url(self, name: str, **kwargs) -> str:
        return self.context["request"].build_absolute_uri(reverse(f"api:{name}", kwargs=kwargs))

    def get_answer(self, question) -> str:
        return self._url("question-answer", pk=question.pk)

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_downloads(self, question):
        return {fmt: self._url("question-answer-file", pk=question.pk, fmt=fmt) for fmt in FORMATS}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@extend_schema_field(
    {
        "type": "object",
        "description": "A heading, paragraph, note, table (headers, rows with cells and depth) "
        "or chart (labels, objective, realised), by kind.",
        "properties": {
            "kind": {"type": "string", "enum": ["heading", "paragraph", "note", "table", "chart"]}
        },
        "required": ["kind"],
    }
)
class BlockField(serializers.Field):
    def to_representation(self, block):
        return {"kind": block.kind, **_plain(dataclasses.asdict(block))}


class PartSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    question = serializers.CharField()
    blocks = serializers.ListField(child=BlockField())


class HeaderSerializer(serializers.Serializer):
    document_label = serializers.CharField()
    number_line = serializers.CharField()
    questioner_line = serializers.CharField()
    date_line = serializers.CharField()
    addressee_lines = serializers.ListField(child=serializers.CharField())
    title = serializers.CharField()
    text = serializers.ListField(child=serializers.CharField())
    sub_questions = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField())
    )
    signature_lines = serializers.ListField(child=serializers.CharField())
    answer_label = serializers.CharField()
    answer_lines = serializers.ListField(child=serializers.CharField())


class AnswerSerializer(serializers.Serializer):
    """The composed answer, as the documents layer builds it for every format."""

    language = serializers.CharField()
    number = serializers.IntegerField()
    session = serializers.CharField()
    title = serializers.CharField()
    header = HeaderSerializer()
    parts = PartSerializer(many=True)


# --- register (bulk) -------------------------------------------------------------------------

BULK_MAX = 500


class ParticipantInSerializer(serializers.Serializer):
    """A person to register; the INSZ is validated, hashed and never stored nor shown."""

    registered_on = serializers.DateField()
    insz = serializers.CharField(required=False, allow_blank=True, max_length=20, write_only=True)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    birth_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1900, max_value=2100
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    characteristics = serializers.ListField(
        child=serializers.ChoiceField(choices=CharacteristicCode.choices),
        required=False,
        max_length=len(CharacteristicCode.values),
    )


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    gender = serializers.CharField()
    registered_on = serializers.DateField()
    characteristics = serializers.SerializerMethodField()

    def get_characteristics(self, participant) -> list[str]:
        return [c.code for c in participant.characteristics.order_by("code")]


class ActivityInSerializer(serializers.Serializer):
    """An activity with its partners and who attended; all of one project."""

    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    date = serializers.DateField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    organiser = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    partners = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True, required=False
    )
    audience = serializers.ChoiceField(
        choices=characteristic_codes(), required=False, allow_blank=True
    )
    participants = serializers.PrimaryKeyRelatedField(
        queryset=Participant.objects.all(), many=True, required=False
    )
    organisations_present = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True, required=False
    )


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    date = serializers.DateField()
    title = serializers.CharField()
    organiser = serializers.IntegerField(source="organiser_id")
    attendees = serializers.SerializerMethodField()

    def get_attendees(self, activity) -> int:
        return activity.attendances.count()


def bulk_create(*, service, rows: list[dict], **common) -> list:
    """Call ``service`` once per row, all or nothing; errors keyed by row index, as DRF does."""
    created = []
    with transaction.atomic():
        for index, row in enumerate(rows):
            try:
                created.append(call_service(service, **common, **row))
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({str(index): exc.detail}) from exc
    return created


# --- settlement: cost lines ----------------------------------------------------------------


class CostLineSerializer(serializers.ModelSerializer):
    """A declared cost and, once inspected, the verdict and the accepted amount."""

    class Meta:
        model = CostLine
        fields = [
            "id",
            "category",
            "description",
            "amount",
            "document_ref",
            "verdict",
            "accepted_amount",
            "reason",
            "reviewed_on",
        ]
        read_only_fields = ["id", "verdict", "accepted_amount", "reason", "reviewed_on"]

    def create(self, validated_data):
        return call_service(
            dossier_services.cost_line_add,
            dossier=self.context["dossier"],
            actor=self.context["request"].user,
            **validated_data,
        )


class CostLineReviewSerializer(serializers.Serializer):
    """The inspector's verdict; a partly accepted line takes the accepted amount."""

    verdict = serializers.ChoiceField(choices=CostVerdict.choices)
    accepted_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    on = serializers.DateField()

    def create(self, validated_data):
        return call_service(
            dossier_services.cost_line_review,
            line=self.context["line"],
            actor=self.context["request"].user,
            **validated_data,
        )


# --- settlement: advances and revenues -------------------------------------------------------


class AdvanceSerializer(serializers.ModelSerializer):
    """An advance on the schedule: a share of the allocation, approved, then paid."""

    class Meta:
        model = Advance
        fields = ["id", "number", "percentage", "amount", "condition", "approved_on", "paid_on"]
        read_only_fields = ["id", "amount", "approved_on", "paid_on"]
        extra_kwargs = {"number": {"min_value": 1, "max_value": 99}}

    def create(self, validated_data):
        return call_service(
            dossier_services.advance_schedule,
            dossier=self.context["dossier"],
            actor=self.context["request"].user,
            **validated_data,
        )


ADVANCE_STEPS = {"approve": dossier_services.advance_approve, "pay": dossier_services.advance_pay}


class AdvanceStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(ADVANCE_STEPS))
    on = serializers.DateField()

    def create(self, validated_data):
        return call_service(
            ADVANCE_STEPS[validated_data["step"]],
            advance=self.context["advance"],
            on=validated_data["on"],
            actor=self.context["request"].user,
        )


class RevenuesSerializer(serializers.Serializer):
    """The project's revenues, declared with the cost statement before it is submitted."""

    revenues = serializers.DecimalField(max_digits=14, decimal_places=2)

    def create(self, validated_data):
        call_service(
            dossier_services.cost_statement_set_revenues,
            dossier=self.context["dossier"],
            revenues=validated_data["revenues"],
            actor=self.context["request"].user,
        )
        return validated_data
