"""HR's enrollment screens in the Wagtail admin (Training > Enrollments).

Creating an enrollment goes through ``services.enrollment_create``, so the admin applies the
same rules (one open enrollment per trainee and program, the trainee role, stage 1 opened) as
the CSV import. Status changes (drop, reactivate) happen on the site's enrollment page, where a
reason is asked for and kept in the history.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from . import services, translations
from .models import Enrollment, ProgramPage


class EnrollmentCreateForm(WagtailAdminModelForm):
    class Meta:
        model = Enrollment
        fields = ["trainee", "program", "hire_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name")
        )
        self.fields["trainee"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.email or u.username})" if u.get_full_name() else u.username
        )
        self.fields["program"].queryset = translations.originals(
            ProgramPage.objects.live()
        ).order_by("title")

    def validate_unique(self):
        # The service checks "one open enrollment per trainee and program" with a clear message.
        pass


class EnrollmentEditForm(WagtailAdminModelForm):
    class Meta:
        model = Enrollment
        fields = ["hire_date"]


class EnrollmentCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.enrollment_create(
            trainee=data["trainee"],
            program=data["program"],
            hire_date=data["hire_date"],
            enrolled_by=self.request.user,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class EnrollmentViewSet(ModelViewSet):
    model = Enrollment
    icon = "group"
    menu_label = _("Enrollments")
    list_display = ["trainee", "program", "hire_date", "status", "enrolled_by", "enrolled_at"]
    list_filter = ["status", "program"]
    search_fields = ["trainee__first_name", "trainee__last_name", "trainee__email"]
    search_backend_name = None
    add_view_class = EnrollmentCreateView
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return EnrollmentEditForm if for_update else EnrollmentCreateForm


class TrainingGroup(ModelViewSetGroup):
    menu_label = _("Training")
    menu_icon = "group"
    menu_order = 150
    items = [EnrollmentViewSet("enrollments")]


@hooks.register("register_admin_viewset")
def register_training():
    return TrainingGroup()
