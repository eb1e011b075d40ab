from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def ramp_monthly_digest() -> dict:
    return services.ramp_digest_send(today=timezone.localdate())
