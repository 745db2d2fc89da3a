"""Spreadsheet imports from the browser, run in the background with progress."""

urlpatterns = []
