from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from notes.models import NoteTemplate


@require_GET
def note_list(request):
    """``/notes/``: every note template."""
    return render(
        request, "notes/notetemplate_list.html", {"templates": NoteTemplate.objects.all()}
    )


@require_GET
def note_detail(request, slug: str):
    """``/notes/<slug>/``: the standalone drafter."""
    note = get_object_or_404(NoteTemplate, slug=slug)
    return render(request, "notes/notetemplate_detail.html", {"note": note})
