"""The personal-data export as a readable text file (pure: a dict in, a
string out)."""

from __future__ import annotations

# Headings of the export's sections, in the order they are written; a
# section not named here is written after them under its key.
SECTION_TITLES = {
    "comments": "Comments",
    "reader_questions": "Reader questions",
    "queued_mail": "Mail in the queue",
}
HEADER_KEYS = ("address", "request", "exported_at")


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):  # an article reference
        return f"{value.get('title', '')} ({value.get('url', '')})"
    return str(value)


def export_as_text(export: dict) -> str:
    """``export`` (the dict :func:`advice.privacy.data.personal_data_export`
    returns) as plain text: a header, then one section per kind of record,
    one block per record, one ``Label: value`` line per field (multi-line
    values indented). Empty sections say "None."."""
    lines = ["Personal data export", "====================", ""]
    lines += [f"{_label(key)}: {_value(export.get(key))}" for key in HEADER_KEYS]
    sections = [key for key in export if key not in HEADER_KEYS]
    sections.sort(key=lambda key: list(SECTION_TITLES).index(key) if key in SECTION_TITLES else 99)
    for key in sections:
        title = SECTION_TITLES.get(key, _label(key))
        lines += ["", title, "-" * len(title)]
        records = export[key] or []
        if not records:
            lines.append("None.")
        for number, record in enumerate(records, 1):
            lines.append(f"[{number}]")
            for field, value in record.items():
                text = _value(value).replace("\r\n", "\n")
                lines.append(f"  {_label(field)}: " + text.replace("\n", "\n    "))
    return "\n".join(lines) + "\n"
