from django.db import transaction

from grantmonitor.organisations.models import Organisation


@transaction.atomic
def organisation_create(
    *, name: str, legal_name: str = "", enterprise_number: str = "", website: str = ""
) -> Organisation:
    organisation = Organisation(
        name=name, legal_name=legal_name, enterprise_number=enterprise_number, website=website
    )
    organisation.full_clean()
    organisation.save()
    return organisation
