"""A reader's data on request, and the privacy page.

Staff export everything the site keeps for one e-mail address (as JSON and
as a readable text file) and erase it, as WordPress's "Export / Erase
Personal Data" tools do:

- ``data.py``: what is kept, per source (comments, reader questions, queued
  mail), and the export and erasure services; every request is written to
  the trail (:mod:`advice.trail`) under a keyed hash of the address, never
  the address itself;
- ``text.py``: the export as a readable text file (pure);
- ``forms.py``, ``views.py``, ``urls.py``: the staff page "Personal data"
  (``/admin/personal-data/``, linked from the admin index), with a
  confirmation step before erasing;
- ``page.py``: the public ``/privacy/`` page.

The management commands ``export_personal_data`` and ``erase_personal_data``
call the same services. See docs/architecture.md (``privacy/``).
"""
