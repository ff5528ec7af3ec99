"""Who may see and do what. Every view loads its bloc year through here.

Outsiders get a 404 (they must not learn that an object exists); users who can see the bloc
but lack the role get a 403.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from core.models import Bloc, BlocYear, Membership, Profile, Unit


def profile_of(user) -> Profile | None:
    if not user.is_authenticated:
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def visible_bloc_years(user) -> QuerySet[BlocYear]:
    """Bloc years the user may open at all."""
    qs = BlocYear.objects.select_related("bloc", "bloc__province")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    profile = profile_of(user)
    if profile is None:
        return qs.none()
    if profile.role in (Profile.Role.OFFICER, Profile.Role.SECRETARIAT):
        return qs.filter(memberships__unit_id=profile.unit_id)
    if profile.role == Profile.Role.LEADER:
        return qs.filter(bloc_id=profile.bloc_id)
    if profile.role in Profile.PROVINCE_ROLES:
        return qs.filter(bloc__province_id=profile.province_id)
    return qs.none()


def visible_blocs(user) -> QuerySet[Bloc]:
    return Bloc.objects.filter(Q(pk__in=visible_bloc_years(user).values("bloc_id"))).select_related("province")


@dataclass(frozen=True)
class Access:
    """The user's standing in one bloc year."""

    bloc_year: BlocYear
    membership: Membership | None  # the user's own unit's membership, for officers and the secretariat
    is_secretariat: bool
    is_leader: bool
    is_provincial: bool
    is_superuser: bool

    @property
    def unit(self) -> Unit | None:
        return self.membership.unit if self.membership else None

    @property
    def is_officer(self) -> bool:
        return self.membership is not None and not self.is_secretariat

    @property
    def can_manage(self) -> bool:
        return self.is_secretariat or self.is_superuser

    @property
    def reads_submitted(self) -> bool:
        """Secretariat, leaders and provincial viewers read every unit's submitted (never draft) data."""
        return self.can_manage or self.is_leader or self.is_provincial

    def require_manage(self) -> None:
        if not self.can_manage:
            raise PermissionDenied

    def require_member_unit(self) -> Unit:
        if self.membership is None:
            raise PermissionDenied
        return self.membership.unit


def access_for(user, bloc_year: BlocYear, memberships: list[Membership] | None = None) -> Access:
    profile = profile_of(user)
    membership = None
    if profile and profile.unit_id:
        if memberships is None:
            membership = (
                Membership.objects.select_related("unit").filter(bloc_year=bloc_year, unit_id=profile.unit_id).first()
            )
        else:
            membership = next((m for m in memberships if m.unit_id == profile.unit_id), None)
    is_secretariat = bool(
        profile
        and profile.role == Profile.Role.SECRETARIAT
        and membership is not None
        and membership.role == Membership.Role.HEAD
    )
    return Access(
        bloc_year=bloc_year,
        membership=membership,
        is_secretariat=is_secretariat,
        is_leader=bool(profile and profile.role == Profile.Role.LEADER and profile.bloc_id == bloc_year.bloc_id),
        is_provincial=bool(
            profile
            and profile.role in Profile.PROVINCE_ROLES
            and profile.province_id == bloc_year.bloc.province_id
        ),
        is_superuser=user.is_superuser,
    )


def get_bloc_year(user, code: str, year: int) -> BlocYear:
    try:
        return visible_bloc_years(user).get(bloc__code=code, year=year)
    except BlocYear.DoesNotExist:
        raise Http404 from None


def access_to(user, code: str, year: int) -> Access:
    """The user's standing in the bloc year of a URL (404 when they may not see it).

    Officers and the secretariat see exactly the bloc years their unit is a member of: one query finds the year
    and the membership together.
    """
    profile = profile_of(user)
    if (
        user.is_active
        and not user.is_superuser
        and profile is not None
        and profile.unit_id
        and profile.role in (Profile.Role.OFFICER, Profile.Role.SECRETARIAT)
    ):
        try:
            membership = Membership.objects.select_related("bloc_year__bloc__province", "unit").get(
                bloc_year__bloc__code=code, bloc_year__year=year, unit_id=profile.unit_id
            )
        except Membership.DoesNotExist:
            raise Http404 from None
        return access_for(user, membership.bloc_year, [membership])
    return access_for(user, get_bloc_year(user, code, year))
