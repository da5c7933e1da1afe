from django.apps import AppConfig


class MappingsConfig(AppConfig):
    name = "mappings"
    verbose_name = "Mappings"

    def ready(self):
        from . import signals  # noqa: F401  (connect the reference-pull schedule handlers)
