from django.urls import path

import config.converters  # noqa: F401  (registers "slugtext")
from notes import views

app_name = "notes"

urlpatterns = [
    path("", views.note_list, name="list"),
    path("<slugtext:slug>/", views.note_detail, name="detail"),
    path("<slugtext:slug>/reminder.ics", views.note_reminder, name="reminder"),
]
