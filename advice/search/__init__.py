"""Full-text search over published articles and their approved comments
(see docs/architecture.md, ``search/``).

Imports point down this list:

- :mod:`~advice.search.views`: the ``/search/`` page (web);
- :mod:`~advice.search.queries`: ranked ids and a page of results;
- :mod:`~advice.search.index`: install and repair the index (post-migrate);
- :mod:`~advice.search.sqlite`, :mod:`~advice.search.postgres`: each
  database's index statements and query pieces;
- :mod:`~advice.search.highlight`: snippets and ``<mark>`` (pure);
- :mod:`~advice.search.terms`: a reader's words as safe query terms (pure).
"""
