"""API of the ramp-up: enrollments and one enrollment's month-by-month ramp.

Same authentication and visibility as the rest of /api/v1/: integrations, directors, HR and
the head of sales see every enrollment, a mentor their active mentees', a trainee their own.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response

from courses import selectors as course_selectors
from courses.models import Enrollment
from mentors import selectors as mentor_selectors
from people.names import display_name
from rampup import criteria as effectiveness
from rampup import figures as ramp

from . import permissions
from .dashboard import current_stage_title


def visible_enrollments(user):
    if permissions.sees_every_ramp(user):
        return course_selectors.enrollments_all()
    return course_selectors.enrollments_visible_to(user)


class EnrollmentSerializer(serializers.ModelSerializer):
    trainee = serializers.EmailField(source="trainee.email")
    trainee_name = serializers.SerializerMethodField()
    program = serializers.CharField(source="program.title")
    current_stage = serializers.SerializerMethodField()
    mentor = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "trainee",
            "trainee_name",
            "program",
            "hire_date",
            "status",
            "current_stage",
            "mentor",
        ]

    def get_trainee_name(self, obj) -> str:
        return display_name(obj.trainee)

    def get_current_stage(self, obj) -> str | None:
        return current_stage_title(obj.progress_list) or None

    def get_mentor(self, obj) -> str | None:
        """The active mentor's e-mail."""
        return obj.active_mentorships[0].mentor.email if obj.active_mentorships else None


class EnrollmentList(generics.ListAPIView):
    serializer_class = EnrollmentSerializer
    pagination_class = None

    def get_queryset(self):
        return (
            visible_enrollments(self.request.user)
            .select_related("trainee", "program")
            .prefetch_related(
                course_selectors.progress_prefetch(to_attr="progress_list"),
                mentor_selectors.active_mentorships_prefetch(),
            )
            .order_by("hire_date", "pk")
        )

    @extend_schema(summary="List enrollments", description=__doc__)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


METRIC_INTS = {m: serializers.IntegerField() for m in ramp.METRICS}
METRIC_DECIMALS = {
    m: serializers.DecimalField(max_digits=12, decimal_places=2) for m in ramp.METRICS
}

RampSchema = inline_serializer(
    name="Ramp",
    fields={
        "enrollment": serializers.IntegerField(),
        "hire_date": serializers.DateField(),
        "plan": inline_serializer(
            name="RampPlanSummary",
            fields={
                "months": serializers.IntegerField(),
                "percentages": serializers.ListField(
                    child=serializers.DecimalField(max_digits=5, decimal_places=2)
                ),
                "full_targets": inline_serializer(name="FullTargets", fields=METRIC_INTS),
            },
        ),
        "months": inline_serializer(
            name="RampMonth",
            many=True,
            fields={
                "index": serializers.IntegerField(),
                "start": serializers.DateField(),
                "end": serializers.DateField(help_text="Excluded."),
                "complete": serializers.BooleanField(),
                "actual": inline_serializer(name="MonthActual", fields=METRIC_INTS),
                "target": inline_serializer(name="MonthTarget", fields=METRIC_DECIMALS),
                "fulfilment": serializers.DecimalField(max_digits=4, decimal_places=2),
                "status": serializers.ChoiceField(
                    choices=[ramp.MET, ramp.NEAR, ramp.BEHIND, ramp.IN_PROGRESS]
                ),
            },
        ),
        "ramped_month": serializers.IntegerField(allow_null=True),
        "behind_the_curve": serializers.BooleanField(),
        "criteria": inline_serializer(
            name="RampCriterion",
            many=True,
            fields={
                "number": serializers.IntegerField(),
                "key": serializers.ChoiceField(choices=[d.key for d in effectiveness.CRITERIA]),
                "name": serializers.CharField(),
                "explanation": serializers.CharField(help_text="One line: what it measures."),
                "value": serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True),
                "display": serializers.CharField(help_text="The value as the drill-down shows it."),
                "norm": serializers.DecimalField(max_digits=12, decimal_places=2),
                "norm_text": serializers.CharField(),
                "light": serializers.ChoiceField(
                    choices=[
                        effectiveness.GREEN,
                        effectiveness.AMBER,
                        effectiveness.RED,
                        effectiveness.NONE,
                    ]
                ),
                "detail": serializers.CharField(),
            },
        ),
    },
)


class EnrollmentRamp(generics.GenericAPIView):
    @extend_schema(
        summary="An enrollment's ramp-up, month by month",
        description="Dates are local (settings TIME_ZONE); a month's end is excluded.",
        responses=RampSchema,
    )
    def get(self, request, pk):
        enrollment = get_object_or_404(
            visible_enrollments(request.user).select_related("program"), pk=pk
        )
        today = timezone.localdate()
        result = ramp.ramp_for(enrollment, today=today)
        criteria = effectiveness.for_enrollment(enrollment, ramp=result, today=today)
        plan = result.plan
        return Response(
            {
                "enrollment": enrollment.pk,
                "hire_date": enrollment.hire_date.isoformat(),
                "plan": {
                    "months": plan.months,
                    "percentages": [str(p) for p in plan.percentages],
                    "full_targets": {m: plan.full.get(m, 0) for m in ramp.METRICS},
                },
                "months": [m.as_api() for m in result.months],
                "ramped_month": result.ramped_month,
                "behind_the_curve": result.behind_the_curve,
                "criteria": [c.as_api() for c in criteria],
            }
        )
