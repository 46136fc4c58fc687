from django.urls import path

from notes import views

app_name = "notes"

urlpatterns = [
    path("", views.note_list, name="list"),
    path("<str:slug>/", views.note_detail, name="detail"),
    path("<str:slug>/reminder.ics", views.note_reminder, name="reminder"),
]
