"""REST API v1 of the mentors app: activities in and out, bonus rules, bonus statements.

Request and response shapes are documented in docs/api.md and in the OpenAPI schema.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from courses.models import Enrollment
from courses.selectors import enrollments_visible_to

from . import permissions, selectors
from .bonus import local_midnight
from .importing import import_items
from .models import Activity, BonusRule, BonusStatement, BonusTier

MAX_BATCH = 5000


class ActivityInSerializer(serializers.Serializer):
    """One item of the POST body (documentation; validation is the importer's, shared with CSV)."""

    trainee = serializers.EmailField(help_text="The trainee's e-mail.")
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    occurred_at = serializers.DateTimeField(
        help_text="ISO 8601 with a UTC offset, e.g. 2026-03-02T10:15:00+03:00; naive is rejected."
    )
    source = serializers.CharField(
        required=False, default="api", max_length=50, help_text="Your system's name, e.g. 'crm'."
    )
    external_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Your id of the record; unique per source, makes re-sending safe.",
    )
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Contracts only, as a decimal string.",
    )
    note = serializers.CharField(required=False, allow_blank=True)
    decision_maker_reached = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Calls and meetings only: whether the decision-maker (ЛПР) was reached.",
    )


class ActivityOutSerializer(serializers.ModelSerializer):
    trainee = serializers.EmailField(source="enrollment.trainee.email", read_only=True)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, read_only=True
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "trainee",
            "kind",
            "occurred_at",
            "source",
            "provenance",
            "confirmed_at",
            "external_id",
            "amount",
            "note",
            "decision_maker_reached",
            "before_certification",
        ]
        read_only_fields = ["provenance", "confirmed_at"]


ImportResultSerializer = inline_serializer(
    "ActivityImportResult",
    {"created": serializers.IntegerField(), "duplicates": serializers.IntegerField()},
)
ErrorsSerializer = inline_serializer(
    "ActivityImportErrors",
    {
        "errors": inline_serializer(
            "ActivityImportError",
            {
                "index": serializers.IntegerField(
                    allow_null=True, help_text="The item's position in the array, from 0."
                ),
                "field": serializers.CharField(),
                "message": serializers.CharField(),
            },
            many=True,
        )
    },
)


def _error(message: str, *, field: str = "non_field_errors") -> Response:
    return Response(
        {"errors": [{"index": None, "field": field, "message": message}]},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _parse_when(value: str, name: str) -> datetime:
    value = value.strip()
    try:
        day = parse_date(value) if len(value) == 10 else None
    except ValueError:  # the shape of a date, not a day of the calendar (2026-13-45)
        raise ValidationError({name: _("Use an ISO 8601 date or date and time.")}) from None
    if day is not None:
        try:
            # In UTC at once: 00:00 of 0001-01-01 in Moscow is before the first UTC instant.
            return local_midnight(day).astimezone(UTC)
        except OverflowError:
            raise ValidationError({name: _("The date is out of range.")}) from None
    if "T" in value and " " in value:
        value = value.replace(" ", "+")  # an unencoded "+03:00" arrives as " 03:00"
    try:
        when = parse_datetime(value)
    except ValueError:
        when = None
    if when is None:
        raise ValidationError({name: _("Use an ISO 8601 date or date and time.")})
    if when.tzinfo is None:
        raise ValidationError({name: _("Give the time with its UTC offset.")})
    try:
        # In UTC: the database takes offsets only up to about 16 hours, Python up to 24.
        return when.astimezone(UTC)
    except OverflowError:
        raise ValidationError({name: _("The date is out of range.")}) from None


class MayPostActivities(BasePermission):
    """Reading is for everyone logged in (scoped); posting asks ``may_post_activities``."""

    message = gettext_lazy("Recording activities needs the Integration permission.")

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or permissions.may_post_activities(request.user)


class ActivityListCreate(generics.ListAPIView):
    serializer_class = ActivityOutSerializer
    permission_classes = [IsAuthenticated, MayPostActivities]

    def get_queryset(self):
        qs = selectors.activities_visible_to(self.request.user).select_related(
            "enrollment__trainee"
        )
        params = self.request.query_params
        if params.get("trainee"):
            qs = qs.filter(enrollment__trainee__email__iexact=params["trainee"].strip())
        if params.get("kind"):
            if params["kind"] not in Activity.Kind.values:
                raise ValidationError({"kind": _("Unknown kind.")})
            qs = qs.filter(kind=params["kind"])
        if params.get("occurred_after"):
            qs = qs.filter(occurred_at__gte=_parse_when(params["occurred_after"], "occurred_after"))
        if params.get("occurred_before"):
            qs = qs.filter(
                occurred_at__lt=_parse_when(params["occurred_before"], "occurred_before")
            )
        return qs.order_by("-occurred_at", "-pk")

    @extend_schema(
        summary="List activities",
        description=(
            "The activities the caller may see (integrations, HR, the head of sales and "
            "directors: all; a mentor: their mentees'; a trainee: their own), newest first."
        ),
        parameters=[
            OpenApiParameter("trainee", OpenApiTypes.EMAIL, description="The trainee's e-mail."),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Activity.Kind.values),
            OpenApiParameter(
                "occurred_after",
                OpenApiTypes.DATETIME,
                description="Inclusive; ISO 8601 with offset, or a date (local midnight).",
            ),
            OpenApiParameter(
                "occurred_before",
                OpenApiTypes.DATETIME,
                description="Exclusive; ISO 8601 with offset, or a date (local midnight).",
            ),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Record activities in a batch",
        description=(
            f"A JSON array of at most {MAX_BATCH} activities. All or nothing: if any item is "
            "invalid nothing is saved and every problem is listed. Items whose (source, "
            "external_id) already exist are skipped and counted as duplicates, so sending the "
            "same batch twice creates nothing the second time. Needs the permission "
            "mentors.add_activity (the Integration group)."
        ),
        request=ActivityInSerializer(many=True),
        responses={
            201: ImportResultSerializer,
            400: ErrorsSerializer,
            401: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request, *args, **kwargs):
        user = request.user
        items = request.data
        if not isinstance(items, list):
            return _error(_("Send a JSON array of activities."))
        if len(items) > MAX_BATCH:
            return _error(
                _("Too many items: %(n)s; send at most %(max)s per request.")
                % {"n": len(items), "max": MAX_BATCH}
            )
        bad = [i for i, item in enumerate(items) if not isinstance(item, dict)]
        if bad:
            return Response(
                {
                    "errors": [
                        {"index": i, "field": "non_field_errors", "message": _("Not an object.")}
                        for i in bad
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        scope = (
            Enrollment.objects.all()
            if permissions.sees_all_activity(user)
            else enrollments_visible_to(user)
        )
        result = import_items(items, enrollments=scope, recorded_by=user)
        if not result.saved:
            return Response(
                {
                    "errors": [
                        {"index": e.row, "field": e.field, "message": e.message}
                        for e in result.errors
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {"created": result.created, "duplicates": result.duplicates},
            status=status.HTTP_201_CREATED,
        )


class BonusTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = BonusTier
        fields = ["name", "amount", "min_call", "min_meeting", "min_application", "min_contract"]


class BonusRuleSerializer(serializers.ModelSerializer):
    tiers = BonusTierSerializer(many=True, read_only=True)

    class Meta:
        model = BonusRule
        fields = ["id", "name", "currency", "period_days", "tiers"]


@extend_schema(summary="List bonus rules", description="Every rule with its ordered tiers.")
class BonusRuleList(generics.ListAPIView):
    serializer_class = BonusRuleSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.rules_visible_to(self.request.user).order_by("name")


class CountsSerializer(serializers.Serializer):
    call = serializers.IntegerField()
    meeting = serializers.IntegerField()
    application = serializers.IntegerField()
    contract = serializers.IntegerField()


class BonusStatementSerializer(serializers.ModelSerializer):
    mentor = serializers.EmailField(source="mentorship.mentor.email", read_only=True)
    trainee = serializers.EmailField(source="mentorship.enrollment.trainee.email", read_only=True)
    rule = serializers.CharField(source="mentorship.bonus_rule.name", read_only=True)
    counts = CountsSerializer(read_only=True)
    tier = serializers.SerializerMethodField()
    period_end = serializers.DateField(
        read_only=True, help_text="Excluded: the window ends at 00:00 local time of this day."
    )

    class Meta:
        model = BonusStatement
        fields = [
            "id",
            "mentorship",
            "mentor",
            "trainee",
            "rule",
            "period_start",
            "period_end",
            "counts",
            "tier",
            "amount",
            "currency",
            "status",
            "needs_review",
        ]

    def get_tier(self, obj) -> str | None:
        return obj.tier_name or None


@extend_schema(
    summary="List bonus statements",
    description=(
        "Integrations, HR, the head of sales and directors see all; a mentor sees their own. "
        "Filter by the mentor's e-mail and the status."
    ),
    parameters=[
        OpenApiParameter("mentor", OpenApiTypes.EMAIL, description="The mentor's e-mail."),
        OpenApiParameter("status", OpenApiTypes.STR, enum=BonusStatement.Status.values),
    ],
)
class BonusStatementList(generics.ListAPIView):
    serializer_class = BonusStatementSerializer

    def get_queryset(self):
        qs = selectors.statements_visible_to(self.request.user).select_related(
            "mentorship__mentor", "mentorship__enrollment__trainee", "mentorship__bonus_rule"
        )
        params = self.request.query_params
        if params.get("mentor"):
            qs = qs.filter(mentorship__mentor__email__iexact=params["mentor"].strip())
        if params.get("status"):
            if params["status"] not in BonusStatement.Status.values:
                raise ValidationError({"status": _("Unknown status.")})
            qs = qs.filter(status=params["status"])
        return qs.order_by("-period_start", "pk")
