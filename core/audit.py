"""The audit recorder: every service change is written with who, when, before, after and why.

``record`` also raises the data version of the bloc concerned (core/dataversion.py), so that kept pages and stored
documents are found again exactly until the data changes. ``bump_version`` is the optimistic lock every edited row
carries. What a unit voted is never passed here (see scoring/meeting).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias

from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit_display, dataversion
from core.errors import ConflictError
from core.formatting import plain
from core.models import AuditEntry, BlocYear, Membership, Profile

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Who acts: a logged-in user, or None for the system (the demo loader, a command, the worker).
Actor: TypeAlias = "User | None"


def jsonable(value):
    if isinstance(value, Decimal):
        # 100.00 and 100 are the same number and must snapshot the same ("100").
        return plain(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def snapshot(obj: Model | None, fields: Iterable[str]) -> dict | None:
    if obj is None:
        return None
    return {f: jsonable(getattr(obj, f)) for f in fields}


def record(
    *,
    bloc_year: BlocYear | None,
    by: Actor,
    action: str,
    target: Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> AuditEntry:
    if bloc_year is not None:
        dataversion.changed(bloc_year.bloc_id, bloc_year.pk)
    return AuditEntry.objects.create(
        bloc_year=bloc_year,
        actor=by if by is not None and by.is_authenticated else None,
        at=at or timezone.now(),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk or ""),
        target_repr=str(target)[:255],
        before=before,
        after=after,
        reason=reason,
    )


def bump_version(model: type[Model], pk, expected_version: int | None) -> None:
    """Optimistic lock: refuse the save when the row changed since the form was opened."""
    qs = model._default_manager.filter(pk=pk)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    if qs.update(version=F("version") + 1) != 1:
        raise ConflictError(
            _(
                "Dữ liệu này vừa được người khác lưu trước bạn. Hãy tải lại trang để xem bản mới nhất "
                "rồi nhập lại thay đổi của mình."
            )
        )


VOCABULARY = audit_display.register(
    audit_display.Vocabulary(
        actions={
            "year.create": gettext_lazy("Tạo năm thi đua"),
            "member.add": gettext_lazy("Thêm đơn vị thành viên"),
            "member.remove": gettext_lazy("Bỏ đơn vị khỏi khối"),
            "member.change": gettext_lazy("Đổi STT, vai trò đơn vị"),
            "unit.create": gettext_lazy("Thêm đơn vị mới"),
            "phase.advance": gettext_lazy("Chuyển giai đoạn"),
            "phase.revert": gettext_lazy("Quay lại giai đoạn trước"),
            "account.create": gettext_lazy("Tạo tài khoản"),
            "account.activate": gettext_lazy("Mở lại tài khoản"),
            "account.deactivate": gettext_lazy("Khóa tài khoản"),
            "account.password_reset": gettext_lazy("Đặt lại mật khẩu"),
            "account.unlock": gettext_lazy("Mở khóa đăng nhập (sai mật khẩu nhiều lần)"),
        },
        fields={
            "year": gettext_lazy("Năm"),
            "order": gettext_lazy("Số thứ tự"),
            "role": gettext_lazy("Vai trò"),
            "code": gettext_lazy("Mã"),
            "name": gettext_lazy("Tên"),
            "short_name": gettext_lazy("Tên viết tắt"),
            "title": gettext_lazy("Tiêu đề"),
            "body": gettext_lazy("Nội dung đầy đủ"),
            "text": gettext_lazy("Nội dung"),
            "phase": gettext_lazy("Giai đoạn"),
            "username": gettext_lazy("Tên đăng nhập"),
            "unit": gettext_lazy("Đơn vị"),
            "is_active": gettext_lazy("Tài khoản"),
            "reason": gettext_lazy("Lý do"),
            "status": gettext_lazy("Trạng thái"),
            "summary": gettext_lazy("Trích yếu"),
            "file": gettext_lazy("Tệp"),
            "size": gettext_lazy("Dung lượng"),
        },
        target_fields={
            "core.unit": {"code": gettext_lazy("Mã đơn vị"), "name": gettext_lazy("Tên chính thức")},
        },
        choices={"phase": [BlocYear.Phase], "role": [Membership.Role, Profile.Role]},
        hidden_keys=frozenset({"version"}),
    )
)
