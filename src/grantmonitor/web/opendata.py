"""Published figures for everyone: CSV and XLSX with small cells suppressed, answer packs."""

urlpatterns = []
