"""How a person is named on every page, export, message and choice list (the user model is
Django's own ``auth.User``; ``{{ user|display_name }}`` in templates, people_tags)."""


def display_name(user) -> str:
    """The full name, or the username of someone without one."""
    return user.get_full_name() or user.get_username()
