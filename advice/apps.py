from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "advice"
    verbose_name = "Advice column"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from advice import checks  # noqa: F401  (registers the deploy checks)
        from advice.privacy.site_record import site_record_sync
        from advice.related import related_signals_connect
        from advice.search.index import post_migrate_ensure_search_index

        # A SQLite table rebuild (many ALTERs do one) drops its triggers, so
        # the search index is checked and repaired after every migrate.
        post_migrate.connect(post_migrate_ensure_search_index, sender=self)
        # The sites row (for flatpages) follows SITE_URL, so the admin's "View
        # on site" never points at example.com (advice.privacy.site_record).
        post_migrate.connect(site_record_sync, sender=self)
        # Views marked config.shared_pages.shared_page answer from the
        # whole-page cache (advice.page_cache).
        from advice.page_cache import serve
        from config.shared_pages import install

        install(serve)
        # Stored related lists are marked stale by content changes (advice.related).
        related_signals_connect()
