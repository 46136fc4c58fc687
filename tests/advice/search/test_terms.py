"""A reader's words as query terms: punctuation, operators and stop words
dropped, limits kept, every term quoted in the match expressions (pure, no
database)."""

from __future__ import annotations

import pytest

from advice.search.terms import (
    MAX_TERMS,
    fold,
    fts5_match_expression,
    query_terms,
    tsquery_expression,
    unaccent,
    word_matches,
)


def test_query_terms_keep_words_and_drop_punctuation_operators_and_stop_words():
    assert query_terms("thank you note") == ["thank", "note"]
    assert query_terms("Follow-up?") == ["follow"]
    # AND, OR and NOT are stop words; the rest are plain words.
    assert query_terms('"note" AND title:(résumé OR cover) NOT -boss* ^x NEAR/2') == [
        "note",
        "title",
        "resume",
        "cover",
        "boss",
        "x",
        "near",
        "2",
    ]
    assert query_terms("Résumé RESUME resume") == ["resume"]


@pytest.mark.parametrize("text", [None, "", "   ", "?!", '"""', "the and of", "_-_"])
def test_query_terms_of_nothing_searchable_is_empty(text):
    assert query_terms(text) == []


def test_query_terms_are_capped_for_long_input():
    words = " ".join(f"word{n}" for n in range(500))
    terms = query_terms(words)
    assert len(terms) == MAX_TERMS
    assert all(len(t) <= 60 for t in query_terms("x" * 5000))


def test_match_expressions_quote_every_term():
    terms = ["thank", "note"]
    assert fts5_match_expression(terms) == '"thank" "note"'
    assert fts5_match_expression(terms, any_term=True, prefix=True) == '"thank" OR "note"*'
    assert tsquery_expression(terms) == "'thank' & 'note'"
    assert tsquery_expression(terms, any_term=True, prefix=True) == "'thank' | 'note':*"
    # A too-short last word is not a prefix (it would match half the index).
    assert fts5_match_expression(["no"], prefix=True) == '"no"'


def test_fold_and_unaccent_remove_accents_one_character_for_one():
    assert fold("Résumé ÉCOLE") == "resume ecole"
    assert unaccent("Résumé") == "Resume"
    assert len(unaccent("Ærøskøbing café")) == len("Ærøskøbing café")


def test_word_matches_word_forms_of_a_term():
    assert word_matches("Following", ["follow"])
    assert word_matches("interviews", ["interview"])
    assert word_matches("Résumés", ["resume"])
    assert not word_matches("fall", ["follow"])
