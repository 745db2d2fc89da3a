from django.urls import path

from grantmonitor.web import (
    audit,
    casework,
    opendata,
    privacy,
    registration,
    security,
    uploads,
    views,
)

app_name = "web"

urlpatterns = [
    opendata.answer_pack_url,  # before the downloads, see there
    path("", views.home, name="home"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/chart.svg", views.project_chart, name="project-chart"),
    path(
        "projects/<int:pk>/kpis/<int:kpi_pk>/target-groups.svg",
        views.kpi_target_groups_chart,
        name="kpi-target-groups-chart",
    ),
    path("questions/<int:pk>/", views.question_detail, name="question"),
    path(
        "questions/<int:pk>/answer-<str:language>.<str:fmt>",
        views.question_download,
        name="question-download",
    ),
]
# Each area of the web face keeps its own views and URLs in its module.
for area in (security, audit, privacy, registration, casework, opendata, uploads):
    urlpatterns += area.urlpatterns
