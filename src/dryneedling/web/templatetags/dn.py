from django import template

register = template.Library()


@register.filter
def words(value: object) -> str:
    """'head_neck' -> 'Head and neck'-ish display: underscores to spaces, first letter up."""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


@register.filter
def muscle(value: str) -> str:
    """A muscle id shown as the knowledge base's name."""
    from dryneedling.treatment.selectors import muscle_name

    return muscle_name(str(value))


@register.filter
def seconds(value: int) -> str:
    """Seconds as m:ss."""
    value = int(value or 0)
    return f"{value // 60}:{value % 60:02d}"


@register.filter
def flag_labels(keys: list[str]) -> str:
    """Red-flag keys of a check-in as the words the patient saw."""
    from dryneedling.followup.questions import RED_FLAGS

    labels = dict(RED_FLAGS)
    return "; ".join(labels.get(key, key) for key in keys or [])


@register.filter
def declined_items(consent: object) -> list[str]:
    """Optional consent items the person did not agree to (short labels)."""
    from dryneedling.treatment.services.chart import consent_items_declined

    return consent_items_declined(list(getattr(consent, "items", []) or []))


@register.filter
def override_summary(insertion: object) -> str:
    """The warnings a point went ahead despite, each with its reason (given now or earlier)."""
    from dryneedling.treatment.selectors import override_summary as summary

    return summary(insertion)  # type: ignore[arg-type]


@register.filter
def iso_local(value: str) -> str:
    """A stored ISO timestamp (e.g. a correction's `at` in a JSON field) in this page's zone."""
    from datetime import UTC, datetime

    from dryneedling.accounts.zones import local

    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:  # stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return f"{local(moment):%Y-%m-%d %H:%M}"


@register.simple_tag
def zone() -> str:
    """The name of the zone this page's times are in: the clinic's (accounts/zones.py)."""
    from dryneedling.accounts.zones import zone_name

    return zone_name()


@register.filter
def lines_of(mapping: object, key: object) -> list[object]:
    """The list a mapping holds under `key` (empty when none): per-episode rows on the patient page."""
    return list(mapping.get(key, [])) if isinstance(mapping, dict) else []
