from django.db import transaction

from grantmonitor.accounts.models import Membership, Role, User
from grantmonitor.organisations.models import Organisation


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role | str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def membership_add(*, user: User, organisation: Organisation) -> Membership:
    membership = Membership(user=user, organisation=organisation)
    membership.full_clean()
    membership.save()
    return membership
