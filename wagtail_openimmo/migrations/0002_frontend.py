# The listing front end: reference_display replaces show_references; page_size is bounded.

import django.core.validators
from django.db import migrations, models


def references_to_display(apps, schema_editor):
    ListingIndexPage = apps.get_model("wagtail_openimmo", "ListingIndexPage")
    ListingIndexPage.objects.filter(show_references=False).update(reference_display="hidden")


def display_to_references(apps, schema_editor):
    ListingIndexPage = apps.get_model("wagtail_openimmo", "ListingIndexPage")
    ListingIndexPage.objects.filter(reference_display="hidden").update(show_references=False)


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_openimmo", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="listingindexpage",
            name="reference_display",
            field=models.CharField(
                choices=[("apart", "in a section of their own"), ("hidden", "hidden")],
                default="apart",
                help_text="Sold or rented objects the broker keeps as references.",
                max_length=10,
                verbose_name="reference objects",
            ),
        ),
        migrations.RunPython(references_to_display, display_to_references),
        migrations.RemoveField(
            model_name="listingindexpage",
            name="show_references",
        ),
        migrations.AlterField(
            model_name="listingindexpage",
            name="page_size",
            field=models.PositiveSmallIntegerField(
                default=12,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(100),
                ],
                verbose_name="listings per page",
            ),
        ),
    ]
