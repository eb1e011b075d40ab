from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Quiz(models.Model):
    """A product survey, test or certification placed in a stage with the quiz block."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    is_certification = models.BooleanField(
        _("certification"),
        default=False,
        help_text=_("Passing clears the trainee for client work; defaults to two attempts."),
    )
    grading_due_days = models.PositiveSmallIntegerField(_("grading due after (days)"), default=21)
    grading_overdue_days = models.PositiveSmallIntegerField(
        _("grading overdue after (days)"), default=28
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.is_certification and self.max_attempts is None:
            self.max_attempts = 2
        super().save(*args, **kwargs)
