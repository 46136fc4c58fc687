from django.urls import path, re_path

import config.converters  # noqa: F401  (registers "slugtext")
from advice import archive
from advice import pages as views
from advice.comments import views as comments
from advice.comments.edit_views import comment_edit_view
from advice.comments.feeds import ArticleCommentsFeed, SiteCommentsFeed
from advice.comments.notify_views import subscription_confirm, subscription_unsubscribe
from advice.comments.permalinks import comment_permalink
from advice.feeds import LatestArticlesAtomFeed, LatestArticlesFeed, TopicArticlesFeed
from advice.privacy import page as privacy
from advice.questions import views as questions
from advice.search import views as search
from config.methods import allow_methods

app_name = "advice"

# Feeds and other callables that declare no methods of their own answer GET
# and HEAD only (config.methods).
read_only = allow_methods("GET", "HEAD")

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", privacy.privacy, name="privacy"),
    path("articles/<slugtext:slug>/", views.article_detail, name="article_detail"),
    path("articles/<slugtext:slug>/comments/", comments.comment_post, name="comment_post"),
    path(
        "articles/<slugtext:slug>/comments/<int:pk>/", comment_permalink, name="comment_permalink"
    ),
    path(
        "articles/<slugtext:slug>/comments/<int:pk>/edit/",
        comment_edit_view,
        name="comment_edit",
    ),
    path("comments/confirm/<str:token>/", subscription_confirm, name="subscription_confirm"),
    path(
        "comments/unsubscribe/<str:token>/",
        subscription_unsubscribe,
        name="subscription_unsubscribe",
    ),
    path(
        "articles/<slugtext:slug>/comments/feed/",
        read_only(ArticleCommentsFeed()),
        name="comment_feed",
    ),
    path("comments/feed/", read_only(SiteCommentsFeed()), name="site_comment_feed"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        archive.archive_month,
        name="archive_month",
    ),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slugtext:slug>/", views.topic_detail, name="topic_detail"),
    path("topics/<slugtext:slug>/feed/", read_only(TopicArticlesFeed()), name="topic_feed"),
    path("feed/", read_only(LatestArticlesFeed()), name="feed"),
    path("feed/atom/", read_only(LatestArticlesAtomFeed()), name="feed_atom"),
    path("search/", search.search_view, name="search"),
    path("ask/", questions.ask, name="ask"),
    path("ask/thanks/", questions.ask_thanks, name="ask_thanks"),
    path("ask/suggest/", questions.ask_suggest, name="ask_suggest"),
]
