"""The API's views: thin callers of selectors (reads), serializers + services (writes) and the
documents layer (the answer). Every filter is declared here and parsed explicitly; query
parameters never reach ``filter(**...)`` as they come."""

import re
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grantmonitor.accounts import permissions as may
from grantmonitor.api import serializers as api
from grantmonitor.api.permissions import ApiPermission, require
from grantmonitor.calls.selectors import call_list, project_list
from grantmonitor.common.keys import KEPT_SECONDS, cache_key
from grantmonitor.documents.answer import compose_answer
from grantmonitor.documents.opendata import people_figures
from grantmonitor.documents.render import FORMATS, render_answer
from grantmonitor.dossiers.models import Advance, CostLine, DossierStatus
from grantmonitor.dossiers.selectors import (
    dossier_advances,
    dossier_cost_lines,
    dossier_history,
    dossier_list,
)
from grantmonitor.kpis.models import Kpi
from grantmonitor.kpis.selectors import project_kpis
from grantmonitor.questions.selectors import question_list, question_overdue_list
from grantmonitor.register.selectors import project_stamps
from grantmonitor.register.services import activity_record, participant_register

LANGUAGES = ("nl", "en")
SESSION = re.compile(r"\d{4}-\d{4}")
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


# --- declared query parameters ------------------------------------------------------------


def _id_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, description=description)


def _refuse(name: str, message: str):
    raise serializers.ValidationError({name: [message]})


def query_id(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        _refuse(name, _("“%(value)s” is not an id (a whole number).") % {"value": raw[:40]})
    return int(raw)


def query_choice(request, name: str, choices) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        _refuse(
            name,
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": raw[:40], "choices": ", ".join(choices)},
        )
    return raw


def query_bool(request, name: str) -> bool | None:
    value = query_choice(request, name, list(BOOLEANS))
    return None if value is None else BOOLEANS[value]


def _kept(request, stamps, answer: Callable[[], Response]) -> Response:
    """``answer()``'s data, kept per reader, URL and language under ``stamps`` (what it is
    drawn from: :mod:`grantmonitor.register.stamps`), or answered afresh when they are None."""
    if stamps is None:
        return answer()
    shown = (request.build_absolute_uri(), request.user.pk, translation.get_language(), stamps)
    key = cache_key("api", shown)
    data = cache.get(key)
    if data is None:
        response = answer()
        if response.status_code != status.HTTP_200_OK:
            return response
        data = response.data
        cache.set(key, data, KEPT_SECONDS)
    return Response(data)


class ApiViewSet(viewsets.GenericViewSet):
    permission_classes = [ApiPermission]
    lookup_value_regex = r"\d+"


# --- calls, projects, KPIs -----------------------------------------------------------------


class CallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Calls for projects."""

    serializer_class = api.CallSerializer

    object_predicates = {"retrieve": may.can_view_call}

    def get_queryset(self):
        calls = call_list().prefetch_related("target_groups").order_by("title", "pk")
        return calls.filter(may.call_scope(self.request.user)) if self.action == "list" else calls


@extend_schema_view(
    list=extend_schema(parameters=[_id_param("call", "Only this call's projects.")])
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Projects, and each project's KPI table."""

    serializer_class = api.ProjectSerializer
    object_predicates = {
        "retrieve": may.can_view_project,
        "kpis": may.can_view_project,
        "participants": may.can_edit_register,
        "activities": may.can_edit_register,
    }

    def list(self, request, *args, **kwargs):
        # the projects, their partners and promoters and the readers' roles are shared tables
        stamps = project_stamps(project_ids=[])
        return _kept(request, stamps, lambda: super(ProjectViewSet, self).list(request))

    def get_queryset(self):
        projects = project_list().order_by("call_id", "order", "name", "pk")
        if self.action in ("list", "retrieve"):
            # shown with its call's id only: the call is not read with each project
            projects = projects.select_related(None).select_related("promoter")
        if self.action != "list":
            # a project's KPIs and register writes do not show its partners
            return projects if self.action == "retrieve" else projects.prefetch_related(None)
        projects = projects.filter(may.project_scope(self.request.user))
        call = query_id(self.request, "call")
        return projects.filter(call_id=call) if call is not None else projects

    @extend_schema(
        responses=api.KpiRowSerializer(many=True),
        description="Every KPI of the project in answer order, with its current value, "
        "its verdict and its breakdown checks.",
    )
    @action(detail=True, pagination_class=None)
    def kpis(self, request, pk=None):
        project = self.get_object()

        def answer() -> Response:
            table = project_kpis(project=project)
            as_published = not may.sees_small_counts(request.user, project)
            context = {"figures": people_figures(table) if as_published else None}
            return Response(api.KpiRowSerializer(table.rows, many=True, context=context).data)

        return _kept(request, project_stamps(project_ids=[project.pk]), answer)

    def _bulk(self, request, *, rows_in, rows_out, service):
        project = self.get_object()
        if not isinstance(request.data, list) or not 1 <= len(request.data) <= api.BULK_MAX:
            _refuse(
                api.NON_FIELD,
                _("Send a list of 1 to %(max)s rows.") % {"max": api.BULK_MAX},
            )
        rows = rows_in(data=request.data, many=True)
        rows.is_valid(raise_exception=True)
        created = api.bulk_create(service=service, rows=rows.validated_data, project=project)
        return Response(rows_out(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=api.ParticipantInSerializer(many=True),
        responses={
            201: api.ParticipantSerializer(many=True),
            400: OpenApiResponse(description="Errors per row; nothing was saved."),
        },
        description="Register participants in bulk: all rows or none.",
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def participants(self, request, pk=None):
        return self._bulk(
            request,
            rows_in=api.ParticipantInSerializer,
            rows_out=api.ParticipantSerializer,
            service=participant_register,
        )

    @extend_schema(
        request=api.ActivityInSerializer(many=True),
        responses={
            201: api.ActivitySerializer(many=True),
            400: OpenApiResponse(description="Errors per row; nothing was saved."),
        },
        description="Record activities with their attendance in bulk: all rows or none.",
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def activities(self, request, pk=None):
        return self._bulk(
            request,
            rows_in=api.ActivityInSerializer,
            rows_out=api.ActivitySerializer,
            service=activity_record,
        )


class KpiViewSet(ApiViewSet):
    """Reported realised values of a KPI."""

    serializer_class = api.KpiValueSerializer
    queryset = Kpi.objects.select_related("project")
    # a realised value is reported by the promoter's staff, like its register
    object_predicates = {"values": lambda user, kpi: may.can_edit_register(user, kpi.project)}

    @extend_schema(
        request=api.KpiValueSerializer,
        responses={201: api.KpiValueSerializer, 400: OpenApiResponse(description="Field errors.")},
        description="Record a reported value; it becomes the KPI's current value for its period.",
    )
    @action(detail=True, methods=["post"])
    def values(self, request, pk=None):
        kpi = self.get_object()
        serializer = api.KpiValueSerializer(
            data=request.data, context={"request": request, "kpi": kpi}
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)


# --- dossiers ------------------------------------------------------------------------------


def _promoter_of(user, dossier):
    return may.can_edit_register(user, dossier.project)


STEP_PREDICATES = {  # who takes which step on the dossier's path
    "submit_cost_statement": _promoter_of,
    "start_inspection": may.can_move_dossier,
    "complete_inspection": may.can_inspect,
    "settle": may.can_move_dossier,
    "pay_balance": may.can_move_dossier,
    "record_recovery": may.can_move_dossier,
    "close": may.can_move_dossier,
}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _id_param("call", "Only the dossiers of this call's projects."),
            OpenApiParameter(
                "status", str, enum=list(DossierStatus.values), description="Current status."
            ),
        ]
    )
)
class DossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Dossiers with their current status, money and history."""

    object_predicates = {
        action: may.can_view_dossier
        for action in ("retrieve", "cost_lines", "advances", "revenues", "steps")
    }

    def get_serializer_class(self):
        return api.DossierDetailSerializer if self.action == "retrieve" else api.DossierSerializer

    def get_queryset(self):
        if self.action != "list":
            return dossier_list().select_related("settlement")
        dossiers = dossier_list(call_id=query_id(self.request, "call")).select_related("settlement")
        dossiers = dossiers.filter(
            project__in=project_list().filter(may.project_scope(self.request.user))
        )
        wanted = query_choice(self.request, "status", list(DossierStatus.values))
        if wanted is not None:
            dossiers = dossiers.filter(current_status=wanted)
        return dossiers.order_by("project__call_id", "project__order", "pk")

    def retrieve(self, request, pk=None):
        dossier = self.get_object()
        context = self.get_serializer_context() | {"history": dossier_history(dossier=dossier)}
        return Response(api.DossierDetailSerializer(dossier, context=context).data)

    @extend_schema(
        methods=["GET"],
        responses=api.CostLineSerializer(many=True),
        description="The cost lines declared in the dossier's final cost statement.",
    )
    @extend_schema(
        methods=["POST"],
        request=api.CostLineSerializer,
        responses={
            201: api.CostLineSerializer,
            400: OpenApiResponse(description="Field errors, or a statement already submitted."),
        },
        description="Declare a realised cost, before the cost statement is submitted.",
    )
    @action(detail=True, methods=["get", "post"], url_path="cost-lines", pagination_class=None)
    def cost_lines(self, request, pk=None):
        dossier = self.get_object()
        if request.method == "GET":
            lines = dossier_cost_lines(dossier=dossier)
            return Response(api.CostLineSerializer(lines, many=True).data)
        require(may.can_edit_register(request.user, dossier.project))  # the promoter declares
        line = api.CostLineSerializer(
            data=request.data, context={"request": request, "dossier": dossier}
        )
        line.is_valid(raise_exception=True)
        line.save()
        return Response(line.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        responses=api.AdvanceSerializer(many=True),
        description="The dossier's advance schedule.",
    )
    @extend_schema(
        methods=["POST"],
        request=api.AdvanceSerializer,
        responses={
            201: api.AdvanceSerializer,
            400: OpenApiResponse(description="Field errors, or more than the allocation."),
        },
        description="Schedule an advance of a share of the allocation while the project runs.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def advances(self, request, pk=None):
        dossier = self.get_object()
        if request.method == "GET":
            return Response(
                api.AdvanceSerializer(dossier_advances(dossier=dossier), many=True).data
            )
        require(may.can_move_dossier(request.user, dossier))
        advance = api.AdvanceSerializer(
            data=request.data, context={"request": request, "dossier": dossier}
        )
        advance.is_valid(raise_exception=True)
        advance.save()
        return Response(advance.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=api.RevenuesSerializer,
        responses={
            200: api.RevenuesSerializer,
            400: OpenApiResponse(description="Field errors, or a statement already submitted."),
        },
        description="Declare the project's revenues with the final cost statement.",
    )
    @action(detail=True, methods=["post"])
    def revenues(self, request, pk=None):
        dossier = self.get_object()
        require(may.can_edit_register(request.user, dossier.project))  # the promoter declares
        revenues = api.RevenuesSerializer(
            data=request.data, context={"request": request, "dossier": dossier}
        )
        revenues.is_valid(raise_exception=True)
        revenues.save()
        return Response(revenues.data)

    @extend_schema(
        request=api.DossierStepSerializer,
        responses={
            201: api.DossierDetailSerializer,
            400: OpenApiResponse(description="Field errors, or a step the dossier cannot take."),
        },
        description="Take one step on the dossier's path (each step is one service).",
    )
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        dossier = self.get_object()
        step = api.DossierStepSerializer(
            data=request.data, context={"request": request, "dossier": dossier}
        )
        step.is_valid(raise_exception=True)
        require(STEP_PREDICATES[step.validated_data["step"]](request.user, dossier))
        step.save()
        return Response(self.retrieve(request, pk=pk).data, status=status.HTTP_201_CREATED)


class AdvanceViewSet(ApiViewSet):
    """Approving and paying a scheduled advance."""

    serializer_class = api.AdvanceStepSerializer
    queryset = Advance.objects.select_related("dossier")
    object_predicates = {"steps": lambda user, advance: may.can_move_dossier(user, advance.dossier)}

    @extend_schema(
        request=api.AdvanceStepSerializer,
        responses={
            200: api.AdvanceSerializer,
            400: OpenApiResponse(description="Field errors, or a step out of order."),
        },
        description="Approve a scheduled advance, or pay an approved one.",
    )
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        step = api.AdvanceStepSerializer(
            data=request.data, context={"request": request, "advance": self.get_object()}
        )
        step.is_valid(raise_exception=True)
        return Response(api.AdvanceSerializer(step.save()).data)


class CostLineViewSet(ApiViewSet):
    """The inspector's verdict on a declared cost line."""

    serializer_class = api.CostLineReviewSerializer
    queryset = CostLine.objects.select_related("statement__dossier")
    object_predicates = {"review": lambda user, line: may.can_inspect(user, line.statement.dossier)}

    @extend_schema(
        request=api.CostLineReviewSerializer,
        responses={
            200: api.CostLineSerializer,
            400: OpenApiResponse(description="Field errors, or a dossier not with inspection."),
        },
        description="Record the inspector's verdict on one cost line.",
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        review = api.CostLineReviewSerializer(
            data=request.data, context={"request": request, "line": self.get_object()}
        )
        review.is_valid(raise_exception=True)
        return Response(api.CostLineSerializer(review.save()).data)


# --- questions and answers -----------------------------------------------------------------


LANGUAGE_PARAM = OpenApiParameter(
    "lang", str, enum=list(LANGUAGES), description="Language of the answer (default nl)."
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "session", str, pattern=r"^\d{4}-\d{4}$", description="Session, e.g. 2017-2018."
            ),
            _id_param("number", "The question's number."),
            OpenApiParameter(
                "overdue", bool, description="Only questions past their answer deadline, or not."
            ),
        ]
    )
)
class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Written questions, their sub-questions and the composed answer."""

    user_predicate = staticmethod(may.can_read_answers)
    object_predicates = {
        action: lambda user, question: may.can_read_answers(user)
        for action in ("retrieve", "answer", "answer_file")
    }

    def get_serializer_class(self):
        return api.QuestionDetailSerializer if self.action == "retrieve" else api.QuestionSerializer

    def get_queryset(self):
        if self.action != "list":
            return question_list().prefetch_related("sub_questions__projects")
        questions = question_list()
        session = self.request.query_params.get("session")
        if session:
            if not SESSION.fullmatch(session):
                _refuse("session", _("Write the session as two years, e.g. 2017-2018."))
            questions = questions.filter(session=session)
        number = query_id(self.request, "number")
        if number is not None:
            questions = questions.filter(number=number)
        overdue = query_bool(self.request, "overdue")
        if overdue is not None:
            late = question_overdue_list().values("pk")
            questions = questions.filter(pk__in=late) if overdue else questions.exclude(pk__in=late)
        return questions.order_by("-date", "-number", "pk")

    def _language(self) -> str:
        return query_choice(self.request, "lang", LANGUAGES) or "nl"

    @extend_schema(
        parameters=[LANGUAGE_PARAM],
        responses=api.AnswerSerializer,
        description="The answer composed from the data, as the documents are made from it.",
    )
    @action(detail=True)
    def answer(self, request, pk=None):
        language = self._language()
        question = self.get_object()
        with translation.override(language):
            answer = compose_answer(question=question, language=language)
            return Response(api.AnswerSerializer(answer).data)

    @extend_schema(
        parameters=[
            LANGUAGE_PARAM,
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(FORMATS)),
        ],
        responses={
            (200, form.content_type.split(";")[0]): OpenApiTypes.BINARY for form in FORMATS.values()
        },
        description="The answer as a file: HTML, DOCX, PDF or Markdown.",
        operation_id="questions_answer_file",
    )
    @action(
        detail=True,
        url_path=f"answer/(?P<fmt>{'|'.join(FORMATS)})",
        url_name="answer-file",
    )
    def answer_file(self, request, pk=None, fmt=None):
        language = self._language()
        question = self.get_object()
        with translation.override(language):
            document = render_answer(question=question, fmt=fmt, language=language)
        response = HttpResponse(document.content, content_type=document.content_type)
        response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
        return response
