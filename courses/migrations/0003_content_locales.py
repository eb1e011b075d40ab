"""The program's pages in both languages (WAGTAIL_CONTENT_LANGUAGES): a Locale for each
content language, and every page in a locale (Wagtail's own migrations gave each page the
locale of LANGUAGE_CODE; a page whose locale is no content language, an ``en-us`` say, moves to
the default one unless it has a translation there already). Safe to run on a database that
has pages, progress and signatures: no page changes id, tree position or translation key."""

from django.conf import settings
from django.db import migrations
from wagtail.coreutils import get_content_languages, get_supported_content_language_variant


def add_content_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    for code in get_content_languages():
        Locale.objects.get_or_create(language_code=code)
    default, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    stray = Page.objects.exclude(locale__language_code__in=list(get_content_languages()))
    for page in stray.exclude(locale=default).only("pk", "translation_key"):
        if not Page.objects.filter(translation_key=page.translation_key, locale=default).exists():
            Page.objects.filter(pk=page.pk).update(locale=default)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_stage_body_labels"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(add_content_locales, migrations.RunPython.noop)]
