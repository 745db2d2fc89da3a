"""A participant's data on request (right of access) and erasing an identity."""

urlpatterns = []
