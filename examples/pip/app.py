"""Prints tomorrow's date and an IDNA-encoded host name."""

import datetime

import idna
from dateutil.relativedelta import relativedelta

tomorrow = datetime.date.today() + relativedelta(days=1)
print(f"tomorrow is {tomorrow}; bücher.example is {idna.encode('bücher.example').decode()}")
