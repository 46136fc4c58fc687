"""The staff door: what stands between the internet and ``/admin/``.

- ``throttle.py``: password guessing throttled by django-axes (per account and
  per client address, the address by ``advice.client``), and the lockout page.
- ``twofactor.py`` and ``twofactor_views.py``: a second factor (TOTP through
  django-otp, with single-use recovery codes) for the staff who must use one
  (``rules.second_factor_required``): enrolment, verification, new codes.
- ``middleware.py``: staff sessions end after ``STAFF_SESSION_IDLE_HOURS``
  without activity; a staff member who still owes the second factor reaches
  nothing but the verification pages.
- ``reset.py`` and ``urls.py``: password reset by e-mail with Django's own
  views, limited per address and per client address.
- ``site.py`` and ``apps.py``: the admin site that adds the two-factor pages
  and refuses staff who owe the second factor.
- ``rules.py``: the pure rules behind them.

See SECURITY.md ("Staff side") and docs/architecture.md.
"""
