"""The promoter's coach registers participants, activities and attendance."""

urlpatterns = []
