from django.urls import path, re_path

import config.converters  # noqa: F401  (registers "slugtext")
from advice import pages as views
from advice.comments import views as comments
from advice.comments.feeds import ArticleCommentsFeed
from advice.feeds import LatestArticlesAtomFeed, LatestArticlesFeed, TopicArticlesFeed
from advice.questions import views as questions
from advice.search import views as search
from advice.wordpress.redirects import wordpress_redirect

app_name = "advice"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slugtext:slug>/", views.article_detail, name="article_detail"),
    path("articles/<slugtext:slug>/comments/", comments.comment_post, name="comment_post"),
    path("articles/<slugtext:slug>/comments/feed/", ArticleCommentsFeed(), name="comment_feed"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slugtext:slug>/", views.topic_detail, name="topic_detail"),
    path("topics/<slugtext:slug>/feed/", TopicArticlesFeed(), name="topic_feed"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("feed/atom/", LatestArticlesAtomFeed(), name="feed_atom"),
    path("search/", search.search_view, name="search"),
    path("ask/", questions.ask, name="ask"),
    path("ask/thanks/", questions.ask_thanks, name="ask_thanks"),
    path("ask/suggest/", questions.ask_suggest, name="ask_suggest"),
    # Last: an old WordPress permalink of an imported article answers 301.
    re_path(r"^(?P<path>[^\x00-\x1f\x7f]+)$", wordpress_redirect, name="wordpress_redirect"),
]
