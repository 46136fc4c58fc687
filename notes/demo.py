"""Demo note templates for ``manage.py load_demo``, written for this project.

``thank-you-after-interview`` is embedded (by its marker line) in the demo
article about a phone screen, ``follow-up-after-applying`` in the one about
following up. Loading twice adds nothing: templates are matched by slug and
an existing one is left as the editors last saved it.
"""

from __future__ import annotations

from notes.models import NoteTemplate

TEMPLATES = [
    {
        "slug": "thank-you-after-interview",
        "title": "Thank-you note after an interview",
        "subject": "Thank you: the [role] opening",
        "body": (
            "Hi, [name]!\n\n"
            "Thanks for taking the time to talk with me about the [role] opening today. "
            "I especially liked hearing about [detail].\n\n"
            "I’ve been following [show?] for a while, so the chance to work on it means "
            "a lot to me.\n\n"
            "[your name]"
        ),
        "blank_settings": {
            "name": {
                "label": "Their name",
                "help": "The person who interviewed you, as you would greet them.",
                "example": "Jordan",
            },
            "role": {"label": "The job", "example": "writers’ production assistant"},
            "detail": {
                "label": "One thing you liked",
                "help": "Something true from the conversation, in a few words.",
                "example": "how the writers’ room is run",
            },
            "show": {
                "label": "The show (optional)",
                "help": "Leave it empty to leave out the line about the show.",
                "example": "Night Shift",
            },
            "your name": {"label": "Your name", "example": "Marcus Reed"},
        },
        "send_rule": NoteTemplate.SendRule.END_OF_DAY,
    },
    {
        "slug": "follow-up-after-applying",
        "title": "Follow-up after applying",
        "subject": "Following up: [role] application",
        "body": (
            "Hello [name],\n\n"
            "I applied for the [role] position on [date applied] and wanted to check in. "
            "I’m still very interested, and I’ve attached my résumé again so it’s easy "
            "to find.\n\n"
            "Since applying I’ve [news?], which I think would help in this job.\n\n"
            "Thanks for your time,\n"
            "[your name]"
        ),
        "blank_settings": {
            "name": {"label": "Who you sent it to", "example": "Ms. Okafor"},
            "role": {"label": "The job", "example": "assistant to the showrunner"},
            "date applied": {"label": "When you applied", "example": "March 3"},
            "news": {
                "label": "Anything new (optional)",
                "help": "A new credit or skill; leave it empty to leave out that line.",
                "example": "finished a season as a writers’ PA",
            },
            "your name": {"label": "Your name", "example": "Lena Park"},
        },
        "send_rule": NoteTemplate.SendRule.BUSINESS_DAYS,
        "send_after_days": 5,
    },
]


def notes_demo_load() -> int:
    """Create the demo note templates that are missing; returns how many
    were created (0 on a second run)."""
    created = 0
    for data in TEMPLATES:
        fields = dict(data)
        slug = fields.pop("slug")
        _, made = NoteTemplate.objects.get_or_create(slug=slug, defaults=fields)
        created += made
    return created
