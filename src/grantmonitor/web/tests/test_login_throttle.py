"""Guessing passwords is stopped: after five failures the right password no longer logs in."""

from django.urls import reverse


def _login(client, password):
    return client.post(reverse("login"), {"username": "kabinet", "password": password})


def test_five_failed_logins_lock_the_account_for_that_address(client, demo):
    for _attempt in range(5):
        assert _login(client, "geraden").status_code in (200, 429)
    locked = _login(client, "grantmonitor-demo")
    assert locked.status_code == 429
    assert "Aanmelden geblokkeerd" in locked.content.decode()
    assert client.get(reverse("web:home")).status_code == 302  # still not logged in


def test_a_good_login_before_the_limit_still_works(client, demo):
    for _attempt in range(3):
        _login(client, "geraden")
    assert _login(client, "grantmonitor-demo").status_code == 302
    assert client.get(reverse("web:home")).status_code == 200
