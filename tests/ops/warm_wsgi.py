"""The WSGI application with its URLconf (every view module) imported: loaded once in gunicorn's
master with --preload, so the two workers of the kill -9 test are ready without importing it again."""

from django.urls import get_resolver

from dryneedling.wsgi import application

get_resolver().url_patterns  # noqa: B018 - imported for its side effect

__all__ = ["application"]
