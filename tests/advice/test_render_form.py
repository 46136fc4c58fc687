"""The comment form's inputs, labels and error lists written out in Python
(advice/form_renderer.py) are the same characters as Django's own widget
templates give, in every state the form is shown in."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.forms.renderers import DjangoTemplates
from django.utils import timezone

from advice.comments.forms import CommentForm
from advice.form_renderer import DIRECT_RENDERER

ODD = 'Ana "Ann" <b>&amp; 💬 עברית'


def _shown(form) -> list[str]:
    """Every field as the templates show it: widget, label tag, errors."""
    return [
        part
        for field in form
        for part in (str(field), field.label_tag(), str(field.errors), str(field.label))
    ]


def _both(*args, user=None, **kwargs):
    made = [
        CommentForm(*args, renderer=renderer, user=user or AnonymousUser(), **kwargs)
        for renderer in (DjangoTemplates(), DIRECT_RENDERER)
    ]
    for form in made:
        if form.is_bound:
            form.is_valid()
            form.refresh_token()
    return made


@pytest.mark.parametrize(
    "state",
    [
        {"initial": {}},
        {"initial": {"name": ODD, "email": "a@example.com", "url": "https://x.example/?a=1&b=2"}},
        {"initial": {"name": "Ana", "remember": True, "parent": 12}},
        {"data": {}},  # every required field missing
        {
            "data": {
                "name": ODD,
                "email": "not an address",
                "url": "javascript:alert(1)",
                "body": "x" * 70000,
                "honeypot": "bot",
                "parent": "abc",
                "remember": "on",
                "notify_replies": "on",
                "token": "forged",
            }
        },  # fmt: skip
        {
            "data": {
                "name": "Ana",
                "email": "a@example.com",
                "body": "<script>\"&'</script>",
                "notify_article": "on",
                "token": "",
            }
        },  # fmt: skip
    ],
)
def test_each_field_renders_as_djangos_templates_do(make_article, state):
    article = make_article()
    now = timezone.now()
    if "data" in state:
        stock, direct = _both(state["data"], article=article, now=now)
    else:
        stock, direct = _both(initial=state["initial"], article=article, now=now)
    assert _shown(direct) == _shown(stock)


def test_the_staff_form_renders_as_djangos_templates_do(make_article, django_user_model):
    staff = django_user_model.objects.create_user("editor", is_staff=True, is_superuser=True)
    stock, direct = _both(initial={}, article=make_article(), user=staff, now=timezone.now())
    assert stock.is_staff
    assert _shown(direct) == _shown(stock)


def test_the_direct_renderer_writes_the_inputs_itself():
    # The fast path is taken (the template engine is not asked for these).
    context = {"widget": {"type": "text", "name": "n", "value": 'a"b', "attrs": {"required": True,
               "maxlength": 5, "hidden": False}}}  # fmt: skip
    html = DIRECT_RENDERER.render("django/forms/widgets/text.html", context)
    assert html == '<input type="text" name="n" value="a&quot;b" required maxlength="5">'
    assert html == DjangoTemplates().render("django/forms/widgets/text.html", context)
