"""Reading HR's enrollment CSV: every row is checked before anything is saved.

Columns: ``email, first_name, last_name, program, hire_date``. The program is given by its
title or its slug; the hire date as ``YYYY-MM-DD`` (``DD.MM.YYYY`` is accepted too, as
spreadsheets export it). Comma, semicolon and tab separated files are read, in UTF-8 (with or
without BOM) or Windows-1251.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from people.roles import Role

from . import translations
from .models import Enrollment, ProgramPage

COLUMNS = ["email", "first_name", "last_name", "program", "hire_date"]
# The Russian names an HR system's export gives the columns (keys folded as ``russian_key``
# folds a header cell). A file may name its columns in either language, each column once. The
# first name of each column is the one the upload page shows in Russian (column_names).
RUSSIAN_COLUMNS = {
    "эл_почта": "email",
    "электронная_почта": "email",
    "почта": "email",
    "имя": "first_name",
    "фамилия": "last_name",
    "программа": "program",
    "дата_приема": "hire_date",
    "дата_найма": "hire_date",
}
# How the upload page writes the Russian names: with the letter ё where the word has it.
RUSSIAN_COLUMN_SHOWN = {"hire_date": "дата_приёма"}
MAX_ROWS = 1000
# What each column may hold: the account's own limits (Django's User) and the page title's.
MAX_LENGTHS = {"email": 254, "first_name": 150, "last_name": 150, "program": 255, "hire_date": 10}


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file; the header is line 1
    column: str
    message: str


@dataclass
class ImportRow:
    row: int
    email: str
    first_name: str
    last_name: str
    program: ProgramPage
    hire_date: date
    user: object | None  # the existing account, or None: one is created


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def russian_key(name: str) -> str:
    """A Russian column name or code as the importers' mapping tables spell their keys:
    stripped, lower case, ё without its dots, spaces as "_"."""
    return name.strip().lower().replace("\u0451", "\u0435").replace(" ", "_")


def column_names(language: str) -> list[str]:
    """The column names the upload page documents, in the page's language (the importer
    reads both)."""
    if language.split("-")[0] != "ru":
        return list(COLUMNS)
    shown: dict[str, str] = {}
    for russian, column in RUSSIAN_COLUMNS.items():
        shown.setdefault(column, RUSSIAN_COLUMN_SHOWN.get(column, russian))
    return [shown[column] for column in COLUMNS]


def _header(cells: list[str]) -> list[str]:
    """The header's cells as the English columns they name (a Russian name mapped, an
    unknown one kept as it is); raises ImportFailed when two cells name the same column."""
    header = []
    given: dict[str, str] = {}
    for cell in cells:
        name = (cell or "").strip().lower()
        column = name if name in COLUMNS else RUSSIAN_COLUMNS.get(russian_key(name), name)
        if column in given and column:
            message = _(
                "The header names the column %(column)s twice (“%(first)s” and “%(second)s”)."
            ) % {"column": column, "first": given[column], "second": name}
            raise ImportFailed([RowError(1, column, message)])
        given[column] = name
        header.append(column)
    return header


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed([RowError(0, "", _("The file is not a text (CSV) file."))])


def _parse_date(value: str) -> date | None:
    # A calendar date has no time zone: no naive datetime is made on the way to it.
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return date(*time.strptime(value, fmt)[:3])
        except ValueError:
            continue
    return None


def _find_program(value: str, programs: list[ProgramPage]) -> ProgramPage | None:
    wanted = value.strip().casefold()
    for program in programs:
        if wanted in (program.slug.casefold(), program.title.casefold()):
            return program
    return None


@dataclass(frozen=True)
class _Accounts:
    """What the database already holds about the file's e-mail addresses."""

    users_by_email: dict[str, list]  # lower-case e-mail → the accounts that use it
    taken_usernames: set[str]
    open_enrollments: set[tuple[int, int]]  # (trainee id, program id)


def staff_roles(user) -> list[str]:
    """What makes an existing account a staff account, in words (empty: a trainee, or an
    account in no group): a group other than Trainee (a role, or an integration's group),
    or admin status. The account's groups are prefetched by ``_accounts``: no query."""
    roles = [
        str(Role(group.name).label) if group.name in Role.values else group.name
        for group in user.groups.all()
        if group.name != Role.TRAINEE
    ]
    if user.is_superuser or user.is_staff:
        roles.append(_("administrator"))
    return sorted(roles)


def read_rows(data: bytes, *, include_staff: bool = False) -> list[ImportRow]:
    """Parse and validate the whole file; raises ImportFailed with every error found.

    A line naming an existing staff account (a mentor, HR, the head of sales, a director,
    an administrator) is an error unless ``include_staff``: enrolling a colleague as a
    trainee is an explicit choice, because a trainee's quizzes and bonuses are then graded
    and paid by others (docs/security.md, "Separation of duties")."""
    raw_rows = _raw_rows(_decode(data))
    # A translation names the same program: the originals only (courses/translations.py).
    programs = list(translations.originals(ProgramPage.objects.live()))
    accounts = _accounts(raw_rows)
    errors: list[RowError] = []
    rows: list[ImportRow] = []
    seen_emails: dict[str, int] = {}  # lower-case e-mail → the first line that has it
    for line, values in raw_rows:
        row, row_errors = _check_row(
            line,
            values,
            programs=programs,
            accounts=accounts,
            seen_emails=seen_emails,
            include_staff=include_staff,
        )
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append(row)
    if errors:
        raise ImportFailed(errors)
    return rows


def _raw_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: stripped value}) of every non-blank row; raises ImportFailed when a
    column is missing, there is no row or there are more than MAX_ROWS."""
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = _header(reader.fieldnames or [])
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ImportFailed(
            [RowError(1, name, _("The column is missing from the first line.")) for name in missing]
        )
    reader.fieldnames = header
    raw_rows = []
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:  # a cell over the csv module's field size limit, a stray quote
            raise ImportFailed(
                [RowError(reader.line_num, "", _("This line cannot be read as CSV."))]
            ) from None
        line = reader.line_num
        values = {name: (record.get(name) or "").strip() for name in COLUMNS}
        if not any(values.values()):
            continue
        raw_rows.append((line, values))
    if not raw_rows:
        raise ImportFailed([RowError(2, "", _("The file has no rows to import."))])
    if len(raw_rows) > MAX_ROWS:
        raise ImportFailed([RowError(0, "", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})])
    return raw_rows


def _accounts(raw_rows: list[tuple[int, dict[str, str]]]) -> _Accounts:
    """Four queries, whatever the number of rows."""
    User = get_user_model()
    emails = {values["email"].lower() for _line, values in raw_rows}
    users_by_email: dict[str, list] = {}
    for user in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=[e for e in emails if e])
        .prefetch_related("groups")
    ):
        users_by_email.setdefault(user.email_lower, []).append(user)
    taken_usernames = set(
        User.objects.filter(username__in=list(emails)).values_list("username", flat=True)
    )
    open_enrollments = set(
        Enrollment.objects.open()
        .filter(trainee__in=[u for users in users_by_email.values() for u in users])
        .values_list("trainee_id", "program_id")
    )
    return _Accounts(users_by_email, taken_usernames, open_enrollments)


def _check_row(
    line: int,
    values: dict[str, str],
    *,
    programs: list[ProgramPage],
    accounts: _Accounts,
    seen_emails: dict[str, int],
    include_staff: bool = False,
) -> tuple[ImportRow | None, list[RowError]]:
    """One row → an ImportRow, or its errors (in column order, the enrollment check last)."""
    cell_errors = _check_cells(line, values)
    if cell_errors:
        return None, cell_errors
    email = values["email"].lower()
    user, row_errors = _check_email(line, values["email"], accounts, seen_emails)
    if user is not None and not include_staff and (roles := staff_roles(user)):
        row_errors.append(
            RowError(
                line,
                "email",
                _(
                    "This address belongs to a staff account (%(roles)s). To enroll them as a "
                    "trainee, tick “Enroll staff accounts too” and upload the file again."
                )
                % {"roles": ", ".join(roles)},
            )
        )
    if user is None:
        row_errors += _check_names(line, values)
    program, program_errors = _check_program(line, values["program"], programs)
    row_errors += program_errors
    hire_date = _parse_date(values["hire_date"])
    if hire_date is None:
        row_errors.append(
            RowError(
                line,
                "hire_date",
                _("“%(value)s” is not a date; write it as YYYY-MM-DD.")
                % {"value": values["hire_date"]},
            )
        )
    if (
        user is not None
        and program is not None
        and (user.pk, program.pk) in accounts.open_enrollments
    ):
        row_errors.append(
            RowError(line, "email", _("This person is already enrolled in this program."))
        )
    if row_errors:
        return None, row_errors
    row = ImportRow(
        row=line,
        email=email,
        first_name=values["first_name"],
        last_name=values["last_name"],
        program=program,
        hire_date=hire_date,
        user=user,
    )
    return row, []


def _check_cells(line: int, values: dict[str, str]) -> list[RowError]:
    """What no column may hold: a NUL (SQLite would store it, and every export after it would
    fail) or more than the column can keep."""
    errors = []
    for column in COLUMNS:
        value = values[column]
        if "\x00" in value:
            errors.append(
                RowError(
                    line, column, _("The value contains a NUL character, which cannot be stored.")
                )
            )
        elif len(value) > MAX_LENGTHS[column]:
            errors.append(
                RowError(
                    line,
                    column,
                    _("At most %(n)s characters.") % {"n": MAX_LENGTHS[column]},
                )
            )
    return errors


def _check_email(
    line: int, value: str, accounts: _Accounts, seen_emails: dict[str, int]
) -> tuple[object | None, list[RowError]]:
    """The existing account the address names (None: one is to be created), and the errors;
    a valid address is noted in ``seen_emails``."""
    email = value.lower()
    if not email:
        return None, [RowError(line, "email", _("The e-mail address is missing."))]
    try:
        validate_email(email)
    except ValidationError:
        message = _("“%(value)s” is not an e-mail address.") % {"value": value}
        return None, [RowError(line, "email", message)]
    errors = []
    if email in seen_emails:
        errors.append(
            RowError(
                line,
                "email",
                _("The same address is already on line %(line)d.") % {"line": seen_emails[email]},
            )
        )
    seen_emails.setdefault(email, line)
    matches = accounts.users_by_email.get(email, [])
    if len(matches) > 1:
        errors.append(
            RowError(
                line,
                "email",
                _("Several accounts use this address; enroll the person in the admin."),
            )
        )
    elif matches:
        return matches[0], errors
    elif email in accounts.taken_usernames:
        errors.append(
            RowError(
                line, "email", _("An account with this user name exists with another address.")
            )
        )
    return None, errors


def _check_names(line: int, values: dict[str, str]) -> list[RowError]:
    """The names a new account needs."""
    errors = []
    for column, label in (("first_name", _("first name")), ("last_name", _("last name"))):
        if not values[column]:
            errors.append(
                RowError(
                    line,
                    column,
                    _("The %(what)s is needed to create the account.") % {"what": label},
                )
            )
        elif len(values[column]) > 150:
            errors.append(RowError(line, column, _("At most 150 characters.")))
    return errors


def _check_program(
    line: int, value: str, programs: list[ProgramPage]
) -> tuple[ProgramPage | None, list[RowError]]:
    if not value:
        return None, [RowError(line, "program", _("The program is missing."))]
    program = _find_program(value, programs)
    if program is None:
        message = _("No published program “%(value)s”. Programs: %(names)s.") % {
            "value": value,
            "names": ", ".join(p.title for p in programs) or "—",
        }
        return None, [RowError(line, "program", message)]
    return program, []
