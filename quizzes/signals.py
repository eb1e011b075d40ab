"""What the quizzes app tells the floors above.

``certified`` is sent inside the transaction that clears a trainee for client work (their
certification passed, ``Enrollment.cleared_for_client_work_on`` set), with ``enrollment``: the
mentors app then counts the client work the CRM sent before it (mentors/certification.py).
"""

from django.dispatch import Signal

certified = Signal()
