from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from grantmonitor.api import views

app_name = "api"

router = SimpleRouter()
router.register("calls", views.CallViewSet, basename="call")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("kpis", views.KpiViewSet, basename="kpi")
router.register("dossiers", views.DossierViewSet, basename="dossier")
router.register("cost-lines", views.CostLineViewSet, basename="cost-line")
router.register("advances", views.AdvanceViewSet, basename="advance")
router.register("questions", views.QuestionViewSet, basename="question")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
]
