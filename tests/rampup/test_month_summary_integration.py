"""PostgreSQL: the per-ramp-month summary's statement-level triggers (transition tables),
through the same writes as on SQLite, and the upsert of the activity trigger firing them."""

import pytest

# The tests (and their fixtures) of the SQLite module, collected again here, on PostgreSQL.
from tests.rampup.test_month_summary import (  # noqa: F401
    enrollment,
    program,
    test_a_day_row_upserted_by_the_activity_trigger_fires_the_update_path,
    test_a_new_hire_date_recomputes_the_enrollments_months,
    test_bulk_writes_move_many_days_at_once,
    test_deletes_and_updates_moving_day_kind_and_enrollment_keep_the_months_exact,
    test_deleting_an_enrollment_deletes_its_months,
    test_inserts_count_in_the_ramp_month_of_the_local_day,
    test_missing_triggers_are_installed_and_the_months_rebuilt_after_migrate,
    test_rebuilding_the_day_rows_and_the_months_and_the_command,
    test_the_month_counts_are_one_query_at_any_size,
    test_the_ramp_figures_read_the_months,
    test_truncating_the_activities_or_the_day_rows_empties_the_months,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _on_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"
