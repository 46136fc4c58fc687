"""The staff forms of the "Personal data" page."""

from django import forms

from advice.reader_fields import EmailAddressField


class AddressForm(forms.Form):
    """The address a request is about (any case; matched case-insensitively)."""

    email = EmailAddressField(
        label="E-mail address",
        max_length=254,
        help_text="Comments and reader questions stored under this address, in any case.",
    )


class EraseForm(AddressForm):
    """The confirmation step of an erasure: the address again, what to do
    with the comments' text, and a box the staff member must tick."""

    TEXT_CHOICES = [
        ("keep", "Keep the text of the comments (the address is cut out of it)"),
        ("remove", 'Remove the text of the comments (replaced by "[removed]")'),
    ]
    text = forms.ChoiceField(
        label="The comments' text", choices=TEXT_CHOICES, widget=forms.RadioSelect, initial="keep"
    )
    confirm = forms.BooleanField(
        label="Yes, erase this reader's data. This cannot be undone.", required=True
    )
