"""people.widgets.QuickSelect renders exactly what Django's Select renders through its
templates, only faster: the same HTML for every case a form gives it."""

import pytest
from django import forms
from django.contrib.auth import get_user_model

from people.forms import PersonChoiceField
from people.widgets import QuickSelect

CHOICES = [
    ("", "All mentors"),
    (1, "Anna <Petrova> & Co"),
    (2, 'Ivan "Ivanov"'),
    ("x", "Пётр Орлов"),
    ("Group", [(3, "Three"), (4, "Four")]),
    (None, "None"),
]


@pytest.mark.parametrize("value", [None, "", "1", 2, "x", "4", "missing", ["1", "2"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_mentor", "class": "wide", "disabled": True}])
def test_the_same_html_as_djangos_select(value, attrs):
    ours = QuickSelect(choices=CHOICES).render("mentor", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("mentor", value, attrs=attrs)
    assert ours == django


@pytest.mark.django_db
def test_the_same_html_for_people_chosen_from_a_queryset():
    User = get_user_model()
    for i, (first, last) in enumerate([("Anna", "Petrova"), ("", ""), ("Олег", "<b>")]):
        User.objects.create(username=f"widget{i}", first_name=first, last_name=last)
    people = User.objects.filter(username__startswith="widget").order_by("username")
    chosen = str(people[1].pk)
    ours = PersonChoiceField(queryset=people, empty_label="All", widget=QuickSelect)
    theirs = PersonChoiceField(queryset=people, empty_label="All", widget=forms.Select)
    html = ours.widget.render("mentor", chosen)
    assert html == theirs.widget.render("mentor", chosen)
    assert "&lt;b&gt;" in html
    assert f'<option value="{chosen}" selected>widget1</option>' in html
