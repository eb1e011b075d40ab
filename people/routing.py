"""Serving a page in fewer queries: routing and the view-restriction check.

Wagtail's ``Page.route`` finds the child named by the next URL component as a plain ``Page``
and then loads it again as its specific type (``.specific``): two queries per level, four
before a stage page's view starts. A page that declares its ``subpage_types`` knows the types
its children have, so it asks each of those tables in turn (in the order listed: put the most
common first) and gets the specific page at once. A child of any other type (one created
before the types were declared) falls back to Wagtail's own routing: the result is the same
page either way.

Before serving, Wagtail checks the view restrictions of the page and its ancestors
(``get_view_restrictions``): one query for the ancestors (to resolve aliases to their source
pages), one for the restrictions. Routing has just loaded every ancestor below the tree's
root; when none of them is an alias, their ids are all that query needs, so only the
restrictions are asked for. Otherwise (aliases, or a page not reached by routing) Wagtail's
own method runs.

That query is folded into routing itself: the child's query also answers whether any view
restriction sits on the child or on a page whose path begins its own (an ``Exists``, read
in the same statement, so never stale). Where it says none and no page of the chain is an
alias, there is nothing to ask; where it says some, the restrictions are read as above.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from wagtail.models import PageViewRestriction

# The attribute routing annotates: whether a view restriction is on the page or an ancestor.
_RESTRICTED = "lms_view_restricted"


def _paths_to(page) -> list[str]:
    """The tree paths of the page and of every ancestor up to the tree's root."""
    return [page.path[:end] for end in range(page.steplen, len(page.path) + 1, page.steplen)]


class RoutingMixin:
    """For the project's Page subclasses (before ``Page`` in the bases)."""

    def route(self, request, path_components):
        if path_components and getattr(type(self), "subpage_types", None):
            slug, rest = path_components[0], path_components[1:]
            restricted = Exists(
                PageViewRestriction.objects.filter(
                    Q(page_id=OuterRef("pk")) | Q(page__path__in=_paths_to(self))
                )
            )
            for model in type(self).clean_subpage_models():
                try:
                    child = (
                        model.objects.child_of(self)
                        .annotate(**{_RESTRICTED: restricted})
                        .get(slug=slug)
                    )
                except model.DoesNotExist:
                    continue
                if type(child) is not child.specific_class:  # a subclass of the type listed
                    child = child.specific
                # As Wagtail does: treebeard's get_parent() then asks no query.
                child._cached_parent_obj = self
                return child.route(request, rest)
        return super().route(request, path_components)

    def get_view_restrictions(self):
        chain = [self]
        page = self
        while page.depth > 2:  # the tree's root (depth 1) is never an alias
            parent = page.__dict__.get("_cached_parent_obj")  # set by route()
            if parent is None:
                return super().get_view_restrictions()
            chain.append(parent)
            page = parent
        if any(p.alias_of_id is not None for p in chain):
            return super().get_view_restrictions()
        if self.__dict__.get(_RESTRICTED) is False:  # routing found none on the chain
            return PageViewRestriction.objects.none()
        root_path = self.path[: self.steplen]
        return PageViewRestriction.objects.filter(
            Q(page_id__in=[p.pk for p in chain]) | Q(page__path=root_path)
        )
