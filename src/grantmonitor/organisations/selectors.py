from grantmonitor.organisations.models import Organisation


def organisation_get_by_name(*, name: str) -> Organisation:
    return Organisation.objects.get(name__iexact=name)
