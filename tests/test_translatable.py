"""Every string a person reads is translatable, and the Russian catalogue translates it.

- The templates and the Python modules hold no visible text outside gettext and
  {% translate %}/{% blocktranslate %} (the scanners of ``tests/translatable.py``; each is
  shown failing on a planted string at the end of this file).
- The Wagtail admin's forms and the stage body's blocks label every field in the reader's
  language (Django and Wagtail make an English label from a field's name when none is given).
- ``locale/ru/LC_MESSAGES/django.po`` holds every string the code marks, nothing else, each
  one translated (every plural form), none fuzzy; its placeholders are those of the English
  string; it compiles.
"""

from __future__ import annotations

import gettext
import io
import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.urls import get_resolver
from django.utils.functional import Promise
from django.utils.translation.template import templatize
from wagtail import blocks
from wagtail.admin.viewsets import viewsets
from wagtail.fields import StreamField
from wagtail.models import get_page_models

from tests.translatable import python_findings, template_findings

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
# The apps whose modules hand text to people (demo, bench and tests are not the product).
APPS = ("people", "courses", "quizzes", "mentors", "rampup", "lms")
# Operator commands print English, as Django's own management commands do.
NOT_FOR_READERS = ("migrations", "management")
# Modules whose row errors are shown to the person who uploaded the file or sent the batch.
IMPORTERS = {"courses/csv_import.py", "mentors/importing.py", "mentors/validation.py"}
# What `make messages-extract` (makemessages) leaves out of the catalogue.
NOT_EXTRACTED = {".venv", "bench", "tests", "var", "staticfiles", "demo", "node_modules"}


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def template_files() -> list[Path]:
    """The project's templates: the TEMPLATES dirs and the project apps' templates dirs."""
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    for config in apps.get_app_configs():
        app_dir = Path(config.path)
        if app_dir.is_relative_to(ROOT) and ".venv" not in app_dir.parts:
            dirs.append(app_dir / "templates")
    files = {p for d in dirs if d.is_dir() for p in d.rglob("*") if p.suffix in (".html", ".txt")}
    return sorted(files)


def python_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if not set(path.relative_to(ROOT).parts) & set(NOT_FOR_READERS)
    )


def _report(findings: dict[str, list]) -> str:
    return "\n".join(f"{path}:{finding}" for path, found in findings.items() for finding in found)


def test_templates_show_no_text_outside_translate_tags():
    files = template_files()
    assert len(files) > 50  # the scan reads the project's templates, not an empty folder
    findings = {_relative(p): template_findings(p.read_text(encoding="utf-8")) for p in files}
    findings = {path: found for path, found in findings.items() if found}
    assert not findings, "Visible text without {% translate %}:\n" + _report(findings)


def test_python_modules_hand_no_text_to_readers_without_gettext():
    modules = python_modules()
    assert len(modules) > 80
    findings = {}
    for path in modules:
        found = python_findings(
            path.read_text(encoding="utf-8"),
            exports=path.name == "exports.py",
            importer=_relative(path) in IMPORTERS,
        )
        if found:
            findings[_relative(path)] = found
    assert not findings, "Text for a reader without gettext:\n" + _report(findings)


# --- Labels Django and Wagtail would make from names ---------------------------------------


def _project_model(model) -> bool:
    return model._meta.app_label in APPS


def _unmarked_form_labels(where: str, form_class) -> list[str]:
    found = []
    for name, field in form_class.base_fields.items():
        for what in ("label", "help_text"):
            text = getattr(field, what)
            if text and not isinstance(text, Promise):
                found.append(f"{where}.{name} {what}: {text!r}")
    for name, formset in getattr(form_class, "formsets", {}).items():
        if _project_model(formset.model):  # not Wagtail's own (the comments' hidden fields)
            found += _unmarked_form_labels(f"{where}.{name}", formset.form)
    return found


def test_admin_forms_label_every_field_in_the_readers_language():
    get_resolver().url_patterns  # the admin's URLs register the viewsets  # noqa: B018
    found = []
    for page_model in filter(_project_model, get_page_models()):
        form_class = page_model.get_edit_handler().get_form_class()
        found += _unmarked_form_labels(page_model.__name__, form_class)
    checked = 0
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if not isinstance(model, type) or not _project_model(model):
            continue
        if not hasattr(viewset, "get_edit_handler"):
            continue  # a chooser: it shows the model's listing, not a form
        checked += 1
        edit_handler = viewset.get_edit_handler()  # None: the form is made from form_fields
        form_class = edit_handler.get_form_class() if edit_handler else viewset.get_form_class()
        found += _unmarked_form_labels(type(viewset).__name__, form_class)
    assert checked >= 5
    assert not found, "\n".join(found)


def _unmarked_block_labels(where: str, block) -> list[str]:
    found = []
    if block.label and not isinstance(block.label, Promise):
        found.append(f"{where}: {block.label!r}")
    if isinstance(block, blocks.StructBlock | blocks.StreamBlock):
        for name, child in block.child_blocks.items():
            found += _unmarked_block_labels(f"{where}.{name}", child)
    elif isinstance(block, blocks.ListBlock):
        found += _unmarked_block_labels(f"{where}[]", block.child_block)
    return found


def test_the_page_editor_names_every_block_in_the_readers_language():
    found = []
    stream_fields = [
        field
        for model in apps.get_models()
        if _project_model(model)
        for field in model._meta.get_fields()
        if isinstance(field, StreamField) and field.model is model
    ]
    assert stream_fields
    for field in stream_fields:
        for name, block in field.stream_block.child_blocks.items():
            found += _unmarked_block_labels(f"{field.model.__name__}.{field.name}.{name}", block)
    assert not found, "Blocks labelled from their names:\n" + "\n".join(found)


# --- The Russian catalogue ------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue():
    with CATALOGUE.open("rb") as f:
        return read_po(f)


def _entries(catalogue):
    return [message for message in catalogue if message.id]


def _forms(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    assert catalogue.num_plurals == 3
    assert len(_entries(catalogue)) > 900
    problems = []
    for message in _entries(catalogue):
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        forms = _forms(message)
        if len(forms) != (catalogue.num_plurals if message.pluralizable else 1):
            problems.append(f"{len(forms)} plural forms: {message.id!r}")
        if not all(form.strip() for form in forms):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, "\n".join(problems)


def test_the_catalogue_compiles_and_russian_plurals_work(catalogue):
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    one, few, many = (
        translations.ngettext("%(n)s enrollment", "%(n)s enrollments", n) % {"n": n}
        for n in (21, 3, 11)
    )
    assert (one, few, many) == ("21 стажёр", "3 стажёра", "11 стажёров")


PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.\d+)?[a-zA-Z%]")


def placeholders(text: str) -> list[str]:
    """The python-format placeholders of ``text``, sorted: ``%(name)`` for a named one, the
    whole specifier (``%s``, ``%d``) for a positional one; ``%%`` is a percent sign."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        if match.group() == "%%":
            continue
        name = match.group("name")
        found.append(f"%({name})" if name is not None else match.group())
    return sorted(found)


def format_error(text: str) -> str | None:
    """Why ``text % values`` fails at run time (a stray ``%``, a bad specifier), or None."""
    found = placeholders(text)
    named = {p[2:-1] for p in found if p.startswith("%(")}
    try:
        text % (dict.fromkeys(named, 1) if named else tuple(1 for _ in found))
    except (ValueError, TypeError, KeyError) as exc:
        return str(exc)
    return None


def _python_format(message) -> bool:
    return "python-format" in message.flags


def test_each_translation_keeps_the_placeholders_of_its_english_string(catalogue):
    problems = []
    checked = 0
    for message in filter(_python_format, _entries(catalogue)):
        checked += 1
        ids = list(message.id) if message.pluralizable else [message.id]
        # Every Russian form keeps every placeholder: form 0 serves 21 and 31 as well as 1.
        expected = sorted(set().union(*(placeholders(text) for text in ids)))
        for form in _forms(message):
            if sorted(set(placeholders(form))) != expected:
                problems.append(f"{ids[0]!r}: {form!r} has {placeholders(form)}, not {expected}")
            elif error := format_error(form):
                problems.append(f"{ids[0]!r}: {form!r} does not format: {error}")
    assert checked > 100
    assert not problems, "\n".join(problems)


# Django's makemessages keywords (xgettext --keyword=...), for Babel's extractor.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def marked_strings() -> dict[tuple, str]:
    """(context, msgid or (msgid, msgid_plural)) → where it is first marked, for every file
    makemessages reads. Templates go through Django's templatize, as makemessages does; its
    output is pseudo-Python, read inside brackets so its indentation does not matter."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in NOT_EXTRACTED
        )
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.suffix == ".py":
                source = path.read_bytes()
            elif path.suffix in (".html", ".txt"):
                text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
                source = f"(\n{text}\n)".encode()
            else:
                continue
            for line, message, _comments, context in extract(
                "python", io.BytesIO(source), keywords=KEYWORDS
            ):
                key = (context, message if isinstance(message, str) else tuple(message))
                found.setdefault(key, f"{_relative(path)}:{line}")
    return found


def test_the_catalogue_holds_every_marked_string_and_nothing_else(catalogue):
    marked = marked_strings()
    entries = {
        (m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in _entries(catalogue)
    }
    missing = sorted(f"{where}: {key[1]!r}" for key, where in marked.items() if key not in entries)
    unused = sorted(repr(key[1]) for key in entries - set(marked))
    assert not missing, (
        "Marked but not in the Russian catalogue (run `make messages-extract` and translate):\n"
        + "\n".join(missing)
    )
    assert not unused, "In the catalogue but marked nowhere:\n" + "\n".join(unused)


# --- The scanners find what they are for ---------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "<p>Hello</p>",
        '{% load i18n %}<button title="Remove">×</button>',
        '<input type="submit" value="Save">',
        '<img src="x.png" alt="Chart">',
        '<nav aria-label="Main"></nav>',
        '<input name="q" placeholder="Search">',
        "{% block title %}Ramp-up{% endblock %}",
        "{% if x %}{{ a }} of {{ b }}{% endif %}",
        '{{ value|default:"Not set" }}',
        '{% include "x.html" with label="Save" %}',
        "{% blocktranslate %}ok{% endblocktranslate %} and this",
        "<code>x</code> but this",
    ],
)
def test_the_template_scan_finds_unmarked_text(source):
    assert template_findings(source)


@pytest.mark.parametrize(
    "source",
    [
        '{% load i18n %}<p>{% translate "Hello" %}</p>',
        "<p>{% blocktranslate count n=n %}{{ n }} call{% plural %}{{ n }} calls"
        "{% endblocktranslate %}</p>",
        "<nav aria-label=\"{% translate 'Main' %}\"><a href=\"{% url 'home' %}\">{{ x }}</a></nav>",
        "<p>{{ a }} · {{ b }} — 12 %, CSV / XLSX</p>",
        '{{ value|default:"—" }} {{ value|default:_("Not set") }}',
        '<input type="hidden" name="next" value="home"><button value="ru">{{ n }}</button>',
        "<script>let label = 'Saved';</script><style>p::after { content: 'x'; }</style>",
        '<code>email,first_name</code><pre translate="no">email\nanna,Anna</pre>',
        "{# a note #}{% comment %}Some words{% endcomment %}<!-- more words -->",
        "{% block body_class %}page-login{% endblock %}",
        '{% now "j M Y" %}{{ when|date:"j M Y" }}',
    ],
)
def test_the_template_scan_passes_marked_text(source):
    assert template_findings(source) == []


@pytest.mark.parametrize(
    ("source", "options"),
    [
        ('messages.success(request, "Saved.")', {}),
        ('messages.error(request, f"{n} rows failed")', {}),
        ('raise ValidationError("Give a reason.")', {}),
        ('raise ValidationError({"reason": "Give a reason."})', {}),
        ('raise PermissionDenied("Only HR enrolls trainees.")', {}),
        ('raise Http404("No such page")', {}),
        ('raise CsvFileError("The file is empty.")', {}),
        ('self.add_error("amount", "Too large.")', {}),
        ('name = forms.CharField(label="Name")', {}),
        ('name = forms.CharField(label=_("Name"), help_text="Your name")', {}),
        ('hire_date = models.DateField("hire date")', {}),
        ('note = models.TextField(_("note"), help_text="Shown to HR")', {}),
        ('tone = ChoiceBlock(choices=[("info", "Information")])', {}),
        ('widget = forms.TextInput(attrs={"placeholder": "Search"})', {}),
        ("class Kind(models.TextChoices):\n    CALL = 'call', 'Call'", {}),
        ("class Kind(models.TextChoices):\n    CALL = 'call'", {}),
        ("class Meta:\n    verbose_name = 'activity'", {}),
        ("class V(ModelViewSet):\n    menu_label = 'Plans'", {}),
        ('notify(recipient=user, title="Graded", body=text)', {}),
        ('return JsonResponse({"ok": False, "message": "Locked"})', {}),
        ('chart.add("Plan", values)', {}),
        ('pygal.Line(title="Ramp-up", x_title=_("Month"))', {}),
        ("message = _('Hello') + ' ' + name", {}),
        ("message = _('%(n)s rows') % {'n': n} + _(' saved')", {}),
        ("message = f\"{_('Month')} {n}\"", {}),
        ('def headers():\n    return ["Trainee", _("E-mail")]', {"exports": True}),
        ('sheet.title = "Ramp-up"', {}),
        ('problems.append(("amount", "Too large."))', {"importer": True}),
        ('RowError(line, "email", "Missing.")', {"importer": True}),
        ('def kind():\n    return ("kind", "The kind is required.")', {"importer": True}),
    ],
)
def test_the_python_scan_finds_unmarked_text(source, options):
    assert python_findings(source, **options)


@pytest.mark.parametrize(
    ("source", "options"),
    [
        ('messages.success(request, _("Saved."))', {}),
        ('messages.error(request, _("%(n)s rows failed") % {"n": n})', {}),
        ('messages.error(request, " ".join(exc.messages))', {}),
        ('raise ValidationError({"reason": _("Give a reason.")})', {}),
        ('raise ValueError(f"unexpected time zone {name}")', {}),
        ('logger.warning("Could not publish %s", pk)', {}),
        ('name = forms.CharField(label=_("Name"), help_text=_("Your name"))', {}),
        ('trainee = models.ForeignKey("auth.User", on_delete=models.CASCADE)', {}),
        ('hire_date = models.DateField(_("hire date"))', {}),
        ("class Kind(models.TextChoices):\n    CALL = 'call', _('Call')", {}),
        ('email = serializers.EmailField(help_text="The trainee\'s e-mail.")', {}),
        ('widget = forms.Textarea(attrs={"rows": 3})', {}),
        ('def headers():\n    return [_("Trainee"), _("E-mail")]', {"exports": True}),
        ('def row():\n    return [row.name, "", None]', {"exports": True}),
        ('sheet.title = _("Ramp-up")[:31]', {}),
        ('problems.append(("amount", _("Too large.")))', {"importer": True}),
        ('cursor.execute("SELECT count(*) FROM pg_trigger")', {"importer": True}),
        ('RowError(line, "email", _("Missing."))', {"importer": True}),
        ('def kind():\n    return ("kind", _("The kind is required."))', {"importer": True}),
        ('def pair():\n    return ("call", "meeting")', {}),
    ],
)
def test_the_python_scan_passes_marked_text(source, options):
    assert python_findings(source, **options) == []


def test_placeholders_are_compared_by_name_and_percent_signs_are_not_placeholders():
    assert placeholders("%(n)s of %(total)d, 74%% done") == ["%(n)", "%(total)"]
    assert placeholders("%s and %d") == ["%d", "%s"]
    assert format_error("%(n)s из %(total)d, 74 %% готово") is None
    assert format_error("%(n)s из %(total)d, 74 % готово") is not None
