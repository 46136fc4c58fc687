"""Demo content for `make run`: articles in the style of the column, written
for this project. Loaded by ``manage.py load_demo``; loading twice adds
nothing (rows are matched by slug, comments by article + author + text)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from advice.models import Article, Comment, Topic

TOPICS = [
    ("Interviews", "interviews", "Before, during and after the interview."),
    ("Applications", "applications", "Résumés, cover letters and waiting to hear back."),
    ("On the job", "on-the-job", "Getting along once you are hired."),
]

ARTICLES = [
    {
        "slug": "thank-you-note-after-a-phone-screen",
        "title": "A Thank-You Note After a Phone Screen?",
        "asker": "Marcus",
        "days_ago": 40,
        "topics": ["interviews"],
        "comment_status": "closed",
        "question": (
            "I had a twenty-minute phone screen with a production manager this "
            "morning. It went fine, I think. Is a thank-you note overkill for a "
            "call that short, and if not, what should it say?"
        ),
        "answer": (
            "Not overkill at all. A short call deserves a short note, and short is "
            "exactly what people have time to read.\n\n"
            "Keep it to three sentences: thank them, name the job, and say one true "
            "thing you liked about the conversation. Skip the recap of your "
            "qualifications; they just heard it.\n\n"
            "Something like this works:\n\n"
            "{{note:thank-you-after-interview}}\n\n"
            "Send it the same afternoon. A note that lands the next morning is fine "
            "too; a note that lands three minutes after you hang up feels like it "
            "was written during the call."
        ),
        "comments": [
            (
                "Dana",
                "dana@example.com",
                "I do this after every screen and nobody has ever "
                "minded. One recruiter even wrote back to say it helped.",
                None,
            ),
            (
                "Priya",
                "priya@example.com",
                "Three sentences is the right length. Mine used "
                "to be whole pages and I never heard back.",
                None,
            ),
            (
                "Marcus",
                "marcus@example.com",
                "Update: I sent it, and I have a second interview next week. Thanks!",
                0,
            ),
            ("Dana", "dana@example.com", "Congratulations! Good luck next week.", 2),
        ],
    },
    {
        "slug": "how-long-to-wait-before-following-up",
        "title": "How Long to Wait Before Following Up",
        "asker": "Lena",
        "days_ago": 12,
        "topics": ["applications"],
        "comment_status": "open",
        "question": (
            "I sent my résumé for an assistant job on a new show two weeks ago and "
            "heard nothing. Is it pushy to write again? When, and what do I say?"
        ),
        "answer": (
            "Writing once more is not pushy. Writing every other day is.\n\n"
            "Give it about a week after you apply, counting business days, not "
            "weekends. Then send one brief note that makes it easy to answer: who "
            "you are, which job, and that you are still interested. Attach the "
            "résumé again so nobody has to dig for it.\n\n"
            "{{note:follow-up-after-applying}}\n\n"
            "If that gets no answer, let it go and keep applying elsewhere. Silence "
            "usually means the job went to someone already in the building, not that "
            "you did something wrong."
        ),
        "comments": [
            (
                "Sam",
                "sam@example.com",
                "A week feels long when you are waiting, but it is "
                "short for someone reading two hundred résumés.",
                None,
            ),
        ],
    },
    {
        "slug": "my-boss-takes-credit-for-my-coverage",
        "title": "My Boss Takes Credit for My Coverage",
        "asker": "",
        "days_ago": 5,
        "topics": ["on-the-job"],
        "comment_status": "open",
        "question": (
            "I write script coverage for a producer who passes it upstairs with only "
            "her name on it. Should I say something, or is that just how it works?"
        ),
        "answer": (
            "It is, unfortunately, mostly how it works. Coverage is written for your "
            "boss, and what she does with it is her call.\n\n"
            "What you can do is make your work visible in other ways: mention in a "
            "staff meeting which scripts you read, offer to cover more, and ask your "
            "boss directly whether she would introduce you to the people she sends "
            "your notes to. Most bosses say yes when asked plainly.\n\n"
            "If she says no, you have learned something useful about the job, too."
        ),
        "comments": [],
    },
]


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Create the demo topics, articles and comments that are missing.

    Returns counts of rows created: ``{"topics": n, "articles": n, "comments": n}``.
    Running it again creates nothing.
    """
    created = {"topics": 0, "articles": 0, "comments": 0}
    topics = {}
    for name, slug, description in TOPICS:
        topic, made = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        topics[slug] = topic
        created["topics"] += made

    now = timezone.now()
    for data in ARTICLES:
        published_at = now - timedelta(days=data["days_ago"])
        article = Article.objects.filter(slug=data["slug"]).first()
        if article is None:
            article = Article.objects.create(
                slug=data["slug"],
                title=data["title"],
                asker=data["asker"],
                question=data["question"],
                answer=data["answer"],
                status=Article.Status.PUBLISHED,
                published_at=published_at,
                comment_status=data["comment_status"],
            )
            article.topics.set([topics[s] for s in data["topics"]])
            created["articles"] += 1
        made_comments: list[Comment] = []
        for index, (name, email, body, parent_index) in enumerate(data["comments"]):
            parent = made_comments[parent_index] if parent_index is not None else None
            comment, made = Comment.objects.get_or_create(
                article=article,
                author_name=name,
                body=body,
                defaults={
                    "author_email": email,
                    "parent": parent,
                    "status": Comment.Status.APPROVED,
                    "created_at": published_at + timedelta(hours=3 + 5 * index),
                },
            )
            made_comments.append(comment)
            created["comments"] += made
    return created
