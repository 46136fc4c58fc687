"""URL path converters shared by the apps."""

from django.urls import register_converter


class SlugTextConverter:
    """A slug of any script: one path segment without control characters.

    Like Django's ``str`` converter (no "/"), but a NUL or other C0/DEL
    control character makes the URL not match (404) instead of reaching the
    database, which PostgreSQL would refuse with an error (a 500).
    """

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SlugTextConverter, "slugtext")
