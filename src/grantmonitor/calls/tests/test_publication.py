"""A call's figures are open data only from the day the funder publishes them."""

import datetime

from grantmonitor.accounts.models import Role, User
from grantmonitor.calls.selectors import published_calls
from grantmonitor.calls.services import call_create, call_publish, call_unpublish

JUNE = datetime.date(2025, 6, 2)


def test_a_new_call_is_not_published(db):
    call_create(title="Oproep", number_of_projects=2)
    assert not published_calls().exists()


def test_publishing_records_the_day_and_who_decided(db):
    admin = User.objects.create_user(username="admin", role=Role.FUNDER_ADMIN)
    call = call_publish(call_create(title="Oproep", number_of_projects=2), actor=admin, on=JUNE)
    assert (call.published_on, call.published_by) == (JUNE, admin)
    assert list(published_calls(on=JUNE)) == [call]
    assert not published_calls(on=JUNE - datetime.timedelta(days=1)).exists(), "not before"


def test_without_a_date_it_is_published_today_and_withdrawn_again(db):
    call = call_publish(call_create(title="Oproep", number_of_projects=2), actor=None)
    assert list(published_calls()) == [call]
    assert call.published_by is None, "a command publishes without a user"
    call = call_unpublish(call)
    assert (call.published_on, call.published_by) == (None, None)
    assert not published_calls().exists()
