from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dryneedling.accounts.models import Membership


def membership(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's clinic and role, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"membership": None}
    try:
        return {"membership": Membership.objects.select_related("clinic").get(user=user)}
    except Membership.DoesNotExist:
        return {"membership": None}
