"""ACTIVITY_PARTITIONED off, or on SQLite: the partitioning step does nothing (the table
stays as migrations made it), and the command and the beat task say so."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from mentors.partitioning import activity_partitions_ensure, is_partitioned, partitioning_wanted
from mentors.tasks import activity_partitions_ahead

pytestmark = pytest.mark.django_db


def test_off_it_does_nothing(settings):
    settings.ACTIVITY_PARTITIONED = False
    was_partitioned = is_partitioned()
    report = activity_partitions_ensure()
    assert (report.converted, report.created) == (False, [])
    assert activity_partitions_ahead() == 0
    out = StringIO()
    call_command("activity_partitions", stdout=out)
    assert "Nothing to do" in out.getvalue()
    assert is_partitioned() == was_partitioned


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the setting's effect on SQLite")
def test_on_sqlite_the_setting_has_no_effect(settings):
    settings.ACTIVITY_PARTITIONED = True
    assert not partitioning_wanted()
    assert activity_partitions_ensure().created == []
    assert not is_partitioned()


@pytest.mark.parametrize("args", [["--months-ahead", "-1"], ["--since", "2026-13"]])
def test_the_command_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("activity_partitions", *args)
