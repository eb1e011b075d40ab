"""Deleting a Wagtail page that kept records refer to (a job description's signatures, a
program's enrollments: ``on_delete=PROTECT``) is refused in the admin with a message instead
of a ``ProtectedError`` error page.

Wagtail's delete view asks its ``before_delete_page`` hooks first, on the confirmation page
and on the POST alike; a hook that returns a response ends the view there. The bulk delete
of a page listing asks ``before_bulk_action`` hooks before it deletes anything. The check is
Django's deletion collector on the page, its descendants and (with translations) the
translations Wagtail would delete with it: the same walk ``delete()`` would make, without
deleting anything.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.db import router
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.models import Page


def pages_deleted_with(page) -> list:
    """The page, its descendants and, with translations on, its translations' subtrees."""
    roots = [page]
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        roots += list(page.get_translations())
    found = {}
    for root in roots:
        for descendant in Page.objects.descendant_of(root, inclusive=True).specific():
            found[descendant.pk] = descendant
    return list(found.values())


def protected_records(page) -> Counter:
    """{the kept records' name (plural): how many} that would refuse the page's deletion."""
    by_type = {}
    for each in pages_deleted_with(page):
        by_type.setdefault(type(each), []).append(each)
    collector = Collector(using=router.db_for_write(Page))
    try:
        for pages in by_type.values():  # the collector takes one model at a time
            collector.collect(pages)
    except (ProtectedError, RestrictedError) as exc:
        blocking = (
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        return Counter(str(obj._meta.verbose_name_plural) for obj in blocking)
    return Counter()


def refuse_protected_delete(request, page):
    """``before_delete_page``: back to the parent's page list with the reason, or None."""
    if not _refused(request, page):
        return None
    return _to_parent_listing(page)


def refuse_protected_bulk_delete(request, action_type, objects, action_class_instance):
    """``before_bulk_action``: the pages' bulk delete deletes none of them when kept records
    refer to any (each such page named), back to the listing."""
    if action_type != "delete" or not objects or not isinstance(objects[0], Page):
        return None
    refused = [page for page in objects if _refused(request, page)]
    if not refused:
        return None
    next_url = action_class_instance.next_url
    if next_url and next_url != request.path:  # the listing the action was started from
        return redirect(next_url)
    return _to_parent_listing(refused[0])


def _to_parent_listing(page):
    parent = page.get_parent()
    return redirect("wagtailadmin_explore", parent.pk if parent else page.pk)


def _refused(request, page) -> bool:
    """Whether kept records refer to the page (the message added for the user), or not."""
    records = protected_records(page.specific)
    if not records:
        return False
    messages.error(
        request,
        _(
            "“%(title)s” cannot be deleted: records that must be kept refer to it "
            "(%(records)s). Unpublish the page instead: it leaves the site, and its history "
            "and the records stay."
        )
        % {
            "title": page.get_admin_display_title(),
            "records": ", ".join(f"{name}: {n}" for name, n in sorted(records.items())),
        },
    )
    return True
