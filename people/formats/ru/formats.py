"""Russian formats as a Russian sales team writes them: «2 декабря 2026», 24-hour times,
«25 000», «0,56», «74 %» and «25 000 ₽». Django's own Russian dates add the word for year;
these do not."""

DATE_FORMAT = "j E Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j E"  # «2 декабря»: E is the month in the genitive
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y-%m-%d %H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a non-breaking space: «25 000»
NUMBER_GROUPING = 3
# Read by people/formatting.py (Django has no format for these).
PERCENT_FORMAT = "{number}\xa0%"  # «74 %», a non-breaking space before the sign
MONEY_FORMAT = "{amount}\xa0{currency}"  # «25 000 ₽»
