from django.db import transaction

from grantmonitor.accounts.models import Role, User


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
