from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileBackend(ModelBackend):
    """Django's own backend, loading the profile together with the user: every page reads it for access."""

    def get_user(self, user_id):
        try:
            user = (
                get_user_model()
                ._default_manager.select_related("profile__unit", "profile__bloc", "profile__province")
                .get(pk=user_id)
            )
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def end_sessions(user) -> int:
    """Delete every stored session of the user (an account locked must not keep working, nor work again on
    unlocking). The session store is the database; sessions are read back one by one: a locking is rare."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def _end_sessions_of_inactive(sender, instance, **kwargs) -> None:  # noqa: ARG001 (a receiver)
    if not instance.is_active and instance.pk:
        end_sessions(instance)
