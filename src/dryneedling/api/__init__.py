"""The JSON API (`/api/`, issue 13): django-ninja over the same selectors and services as the web."""
