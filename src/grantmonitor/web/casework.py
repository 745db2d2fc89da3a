"""Case handlers move dossiers, inspectors review cost lines, the cabinet composes answers."""

urlpatterns = []
