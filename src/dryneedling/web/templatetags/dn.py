from django import template

register = template.Library()


@register.filter
def words(value: object) -> str:
    """'head_neck' -> 'Head and neck'-ish display: underscores to spaces, first letter up."""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]
