"""WordPress authors as bylines: one account per WordPress author who wrote
an imported post (docs/architecture.md, ``wordpress/``).

The rule, simple enough to check by hand in the admin:

- The account's username is ``wp-`` and the author's login (slugified, cut
  to the column): ``admin`` -> ``wp-admin``. The prefix keeps imported
  authors apart from the staff's own accounts.
- A new account is not staff, has an unusable password (WordPress's
  passwords are never read, and an export holds none) and its first name is
  the author's display name, so :func:`advice.models.display_name` shows
  what WordPress showed; its e-mail is the author's.
- Importing again finds the account by username and reuses it only when it
  is still one the import could have made: not staff, not superuser, no
  usable password. Any other account with that username (someone made it
  staff or gave it a password) is never taken over: the post gets no byline
  and the summary counts it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from advice.wordpress.records import html_to_text
from advice.wordpress.summary import ImportSummary
from advice.wordpress.wxr import Author

PREFIX = "wp-"


def author_username(login: str) -> str:
    """The username for WordPress ``login``: ``wp-<slugified login>`` within
    the username column; ``""`` when the login has no usable character."""
    User = get_user_model()
    stem = slugify(login, allow_unicode=True)
    limit = User._meta.get_field(User.USERNAME_FIELD).max_length
    return f"{PREFIX}{stem}"[:limit] if stem else ""


def imported_account(user) -> bool:
    """True when ``user`` is an account the import may reuse: no staff or
    superuser rights and no usable password."""
    return not (user.is_staff or user.is_superuser or user.has_usable_password())


class AuthorAccounts:
    """The run's WordPress authors (from ``<wp:author>``) and the accounts
    made or found for them, one database read per login."""

    def __init__(self, summary: ImportSummary):
        self.summary = summary
        self.authors: dict[str, Author] = {}
        self.ids: dict[str, int | None] = {}  # login -> user id, None: no byline

    def add(self, author: Author) -> None:
        """Remember a channel-level ``<wp:author>``."""
        if author.login:
            self.authors.setdefault(author.login, author)

    def user_id(self, login: str) -> int | None:
        """The user id for the post's ``dc:creator`` ``login``, making the
        account on first use; ``None`` (counted) when no account may carry it."""
        login = login.strip()
        if not login:
            return None
        if login not in self.ids:
            self.ids[login] = self._account(login)
        return self.ids[login]

    def _account(self, login: str) -> int | None:
        User = get_user_model()
        username = author_username(login)
        if not username:
            self.summary.bylines_missing["author login unusable"] += 1
            return None
        author = self.authors.get(login, Author(login=login))
        user = User.objects.filter(username=username).first()
        if user is not None:
            if not imported_account(user):
                self.summary.bylines_missing[f"account {username} is not the import's"] += 1
                return None
            self.summary.authors_existing += 1
            return user.pk
        name = html_to_text(author.display_name) or " ".join(
            part for part in (author.first_name, author.last_name) if part
        )
        user = User(username=username, first_name=name[:150], email=author.email[:254])
        user.set_unusable_password()
        user.save()
        self.summary.authors_created += 1
        return user.pk
