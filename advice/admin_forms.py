"""The article change form in the admin: the answer's help text shows the
note marker as text (``{{note:<slug>}}``, which the admin would otherwise
read as an HTML tag and drop) with the slugs of the note templates there
are, and an answer whose marker names no template is refused with those
slugs listed, the editor's text kept. The marker syntax is
:mod:`notes.markers`'.

Its widgets are the accessible ones (axe-core, tests/browser/test_admin_screens.py):
date and time inputs that each have a name (:class:`LabelledSplitDateTime`),
topics as checkboxes and the author as a plain select, where Django's
two-pane filter and select2 box carry ARIA faults of their own."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime

from advice.models import Article
from notes.markers import marker_help_html, unknown_marker_message, unknown_marker_slugs
from notes.models import NoteTemplate


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django admin's date + time inputs, each with an accessible name
    ("Published at: date", "Published at: time"): Django labels the pair,
    but its label points at neither input."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field = name.rsplit("-", 1)[-1].replace("_", " ").capitalize()
        for subwidget, part in zip(context["widget"]["subwidgets"], ("date", "time"), strict=True):
            subwidget["attrs"]["aria-label"] = f"{field}: {part}"
        return context


class ArticleAdminForm(forms.ModelForm):
    """``ArticleAdmin``'s form. Two queries per form at most: the
    template slugs for the help text, and none more when validating (the
    same list is reused)."""

    class Meta:
        model = Article
        fields = []  # ArticleAdmin.fieldsets says which, so its formfield_overrides apply
        widgets = {
            "published_at": LabelledSplitDateTime,
            "comments_close_at": LabelledSplitDateTime,
            "topics": forms.CheckboxSelectMultiple,
            "author": forms.Select,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.note_slugs = NoteTemplate.objects.slugs()
        if "answer" in self.fields:
            self.fields["answer"].help_text = (
                "The columnist's answer, in Markdown. " + marker_help_html(self.note_slugs)
            )

    def clean_answer(self) -> str:
        """The answer, unless a marker line names a note template that does
        not exist (``ValidationError`` listing the known slugs)."""
        answer = self.cleaned_data.get("answer") or ""
        unknown = unknown_marker_slugs(answer, frozenset(self.note_slugs))
        if unknown:
            raise forms.ValidationError(unknown_marker_message(unknown, self.note_slugs))
        return answer
