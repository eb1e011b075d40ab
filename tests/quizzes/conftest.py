import pytest
from django.http import QueryDict

from quizzes import services


def answer(attempt, user, answers: dict):
    data = QueryDict(mutable=True)
    data["all_answers"] = "1"
    for key, value in answers.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value)
    return services.attempt_save_answers(attempt=attempt, user=user, data=data)


@pytest.fixture
def answer_fn():
    return answer
