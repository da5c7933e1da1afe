"""Sign-in throttling: after too many failed attempts on one account, even the right password is refused for a while.

Failures are counted in the database, so every web process sees the same count. The refusal looks like any failed
sign-in ("enter a correct username and password"): it tells a guesser nothing about the account.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone

from .models import LoginFailure


def _window_start():
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def locked(username: str) -> bool:
    recent = LoginFailure.objects.filter(username=username.lower(), at__gte=_window_start())
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT


class ThrottledModelBackend(ModelBackend):
    """Django's backend, refusing an account with too many recent failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and locked(username):
            raise PermissionDenied("too many failed sign-ins")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:150].lower()
    if username:
        address = request.META.get("REMOTE_ADDR") if request is not None else None
        LoginFailure.objects.create(username=username, address=address or None)
        LoginFailure.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()


@receiver(user_logged_in)
def _forget_failures(sender, user, request=None, **kwargs):
    LoginFailure.objects.filter(username=user.get_username().lower()).delete()
