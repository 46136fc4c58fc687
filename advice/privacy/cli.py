"""What the personal-data commands share: reading their arguments."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from advice.privacy.forms import AddressForm


def add_arguments(parser) -> None:
    """The arguments both commands take: the address and ``--by``."""
    parser.add_argument("email", help="The reader's e-mail address (any case).")
    parser.add_argument(
        "--by",
        metavar="USERNAME",
        help="The staff account the request is recorded under in the admin's log "
        "(without it, nothing is recorded there).",
    )


def read_arguments(email: str, by: str | None):
    """``(address, user or None)`` from the command's arguments; a
    malformed address or an unknown ``--by`` account raises
    ``CommandError`` with the reason."""
    form = AddressForm({"email": email})
    if not form.is_valid():
        raise CommandError(f"{email!r} is not an e-mail address: " + " ".join(form.errors["email"]))
    user = None
    if by:
        try:
            user = get_user_model().objects.get_by_natural_key(by)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No account named {by!r}.") from None
        except ValidationError as error:  # pragma: no cover - custom user models only
            raise CommandError(str(error)) from None
    return form.cleaned_data["email"], user
