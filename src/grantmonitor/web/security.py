"""Two-factor sign-in for the funder's administrator and the inspection service."""

urlpatterns = []
