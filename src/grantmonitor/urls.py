from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from grantmonitor.ops import views as ops_views

handler500 = "grantmonitor.ops.views.server_error"
admin.site.site_header = admin.site.site_title = "grantmonitor"

urlpatterns = [
    path("health/", ops_views.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/", include("grantmonitor.api.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("grantmonitor.web.urls")),
]
