from django.apps import AppConfig


class SwappedListingConfig(AppConfig):
    name = "tests.swapped_listing"
    label = "swapped_listing"
    default_auto_field = "django.db.models.BigAutoField"
