from django.urls import path, re_path

from advice import views

app_name = "advice"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<str:slug>/", views.article_detail, name="article_detail"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<str:slug>/", views.topic_detail, name="topic_detail"),
    # Last: an old WordPress permalink of an imported article answers 301.
    re_path(r"^(?P<path>.+)$", views.wordpress_redirect, name="wordpress_redirect"),
]
