"""Note templates: a fill-in-the-blanks note and the rule for when to send it."""

from django.db import models
from django.urls import reverse


class NoteTemplateQuerySet(models.QuerySet):
    def slugs(self) -> list[str]:
        """The slugs of these note templates, alphabetically (one query)."""
        return list(self.order_by("slug").values_list("slug", flat=True))

    def titles(self, slugs) -> dict[str, str]:
        """``{slug: title}`` for those of ``slugs`` that exist (one query)."""
        return dict(self.filter(slug__in=set(slugs)).values_list("slug", "title"))


class NoteTemplate(models.Model):
    """A note with blanks (``[name]``, ``[show?]``) a reader fills in.

    ``body`` and ``subject`` are plain text in the blanks syntax (see
    ``notes.blanks``), not Markdown. ``blank_settings`` maps a blank's key
    (its lower-cased name) to ``{"label": str, "help": str, "example": str}``.
    """

    class SendRule(models.TextChoices):
        END_OF_DAY = "end_of_day", "End of the day, or next morning if it ended late"
        BUSINESS_DAYS = "business_days", "After N business days"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    subject = models.CharField(
        max_length=300, blank=True, help_text="E-mail subject line; may contain blanks."
    )
    body = models.TextField(
        help_text=(
            "Plain text. [name] is a blank; [show?] is optional (a line whose optional "
            "blanks are all empty is dropped); \\[ is a literal bracket."
        )
    )
    blank_settings = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per blank: {"name": {"label": "…", "help": "…", "example": "…"}}.',
    )
    send_rule = models.CharField(
        max_length=20, choices=SendRule.choices, default=SendRule.END_OF_DAY
    )
    send_after_days = models.PositiveSmallIntegerField(
        default=3, help_text="For the business-days rule: how many business days to wait."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoteTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notes:detail", kwargs={"slug": self.slug})

    @property
    def send_rule_text(self) -> str:
        """The send-time rule in a few words, with this template's numbers:
        "after 5 business days", "after 1 business day", or "at the end of
        the interview day, or the next morning if it ended late"."""
        if self.send_rule == self.SendRule.BUSINESS_DAYS:
            days = self.send_after_days
            return f"after {days} business day{'' if days == 1 else 's'}"
        return "at the end of the interview day, or the next morning if it ended late"
