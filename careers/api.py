"""API of the career ladder: the ladders with their levels, requirements and bands; one
person's level, history and next-level progress.

Same authentication as the rest of /api/v1/; a person is visible as on the pages
(``selectors.people_visible_to``): themselves, their active mentor, directors, HR and the head
of sales; anyone else gets 404.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from people.names import display_name

from . import selectors
from .models import Ladder, Level, LevelChange, PayBand, Requirement


class PayBandSerializer(serializers.ModelSerializer):
    office = serializers.CharField(source="office.name")
    city = serializers.CharField(source="office.city")

    class Meta:
        model = PayBand
        fields = ["office", "city", "minimum", "maximum"]


class RequirementSerializer(serializers.ModelSerializer):
    quiz = serializers.CharField(source="quiz.slug", allow_null=True, default=None)
    # Kinds as text, described in docs/career.md: enums named "kind" would collide with the
    # activity API's in the schema.
    kind = serializers.CharField()
    activity_kind = serializers.CharField()

    class Meta:
        model = Requirement
        fields = ["id", "kind", "title", "advice", "quiz", "activity_kind", "activity_count",
                  "period_days"]  # fmt: skip


class LevelSerializer(serializers.ModelSerializer):
    requirements = RequirementSerializer(many=True)
    pay_bands = PayBandSerializer(many=True)

    class Meta:
        model = Level
        fields = ["id", "number", "title", "summary", "min_experience_months", "requirements",
                  "pay_bands"]  # fmt: skip


class LadderSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program.title", allow_null=True, default=None)
    levels = LevelSerializer(many=True)

    class Meta:
        model = Ladder
        fields = ["id", "name", "program", "currency", "levels"]


class LadderList(generics.ListAPIView):
    serializer_class = LadderSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.ladders_with_levels().select_related("program")

    @extend_schema(summary="List the career ladders", description=__doc__)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LevelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()


class LevelChangeSerializer(serializers.ModelSerializer):
    level = LevelRefSerializer()
    kind = serializers.CharField()  # "entry" or "promotion" (see RequirementSerializer)
    proposed_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = LevelChange
        fields = [
            *("id", "level", "kind", "status", "reason", "pay", "proposed_by", "proposed_at"),
            *("decided_by", "decided_at", "decision_note", "effective_on", "evidence"),
        ]

    def get_proposed_by(self, obj) -> str:
        return display_name(obj.proposed_by)

    def get_decided_by(self, obj) -> str | None:
        return display_name(obj.decided_by) if obj.decided_by else None


class RequirementStateSerializer(serializers.Serializer):
    kind = serializers.CharField()
    requirement_id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    met = serializers.BooleanField()
    figure = serializers.CharField()
    value = serializers.IntegerField(allow_null=True)
    target = serializers.IntegerField(allow_null=True)
    evidence_id = serializers.IntegerField(allow_null=True)


class BandSerializer(serializers.Serializer):
    minimum = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    maximum = serializers.DecimalField(max_digits=12, decimal_places=2)


class StandingSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    office = serializers.CharField(allow_null=True)
    level = LevelRefSerializer(allow_null=True)
    since = serializers.DateField(allow_null=True)
    pay = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    next_level = LevelRefSerializer(allow_null=True)
    requirements = RequirementStateSerializer(many=True)
    ready = serializers.BooleanField()
    next_band = BandSerializer(allow_null=True)
    history = LevelChangeSerializer(many=True)


def _level(level):
    return {"id": level.pk, "number": level.number, "title": level.title} if level else None


def _band(band):
    return {"minimum": band.minimum, "maximum": band.maximum} if band else None


class PersonCareer(APIView):
    @extend_schema(
        summary="A person's level, history and next-level progress",
        description=__doc__,
        responses=StandingSerializer,
    )
    def get(self, request, pk: int):
        person = get_object_or_404(selectors.people_visible_to(request.user), pk=pk)
        standing = selectors.standing_of(person, today=timezone.localdate())
        data = {
            "person": person.pk,
            "name": display_name(person),
            "office": standing.office.name if standing.office else None,
            "level": _level(standing.level),
            "since": standing.current.effective_on if standing.current else None,
            "pay": standing.pay,
            "next_level": _level(standing.next_level),
            "requirements": [state.snapshot() for state in standing.states],
            "ready": standing.is_ready,
            "next_band": _band(standing.next_band),
            "history": list(selectors.history_of(person)),
        }
        return Response(StandingSerializer(data).data)
