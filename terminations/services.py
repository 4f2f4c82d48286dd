"""Workflows of termination requests: import of a competitor's list, fair
distribution to advisors, verification, desistimientos and rejection."""

import hashlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import Role
from core.calendar import BusinessCalendar
from core.formatting import format_date
from core.imports import ImportReport, run_import
from core.mail import email_queue
from core.models import OutgoingEmail
from core.numbering import number_take
from core.uploads import upload_extension
from subscribers.models import Competitor, SubscriberAccount
from terminations import documents
from terminations.importer import TerminationRequestImporter
from terminations.matching import EXCEL_SIGNIFICANT_DIGITS, normalise_id
from terminations.models import (
    DeliveryBatch,
    Desistimiento,
    NoveltyBatch,
    ReconciliationAgreement,
    ReconciliationMeeting,
    RegistryNovelty,
    RequestList,
    TerminationRequest,
    Verification,
)
from zones.distribution import Holding, distribute
from zones.models import Zone

logger = logging.getLogger(__name__)


class TerminationError(Exception):
    """A workflow step that cannot be carried out; the message is for staff."""


class DuplicateSubmission(TerminationError):
    """A form sent again (a double click, a resubmission after «Atrás») whose
    first sending was already recorded as `record`."""

    def __init__(self, record):
        self.record = record
        if isinstance(record, ReconciliationMeeting):
            message = _(
                "Este formulario ya se había enviado: la reunión de conciliación "
                "del %(date)s con %(competitor)s quedó registrada y no se registró "
                "otra vez."
            ) % {"date": format_date(record.held_on), "competitor": record.competitor}
        elif isinstance(record, NoveltyBatch):
            message = _(
                "Estas novedades ya quedaron marcadas como reportadas. Están en el "
                "lote %(batch)s, que se puede descargar abajo."
            ) % {"batch": record.pk}
        else:
            message = _(
                "Este formulario ya se había enviado: la verificación quedó "
                "registrada el %(when)s y no se registró otra vez."
            ) % {
                "when": timezone.localtime(record.recorded_at).strftime(
                    "%d/%m/%Y %H:%M"
                )
            }
        super().__init__(message)


# --- Import -----------------------------------------------------------------


def request_list_create(
    *,
    competitor,
    path: Path,
    original_name: str = "",
    user=None,
    received_on: date | None = None,
) -> RequestList:
    """Store a competitor's file as a list waiting for its import. `received_on`
    (today by default) bounds the filing dates the list may carry."""
    request_list = RequestList(
        competitor=competitor,
        original_name=original_name or path.name,
        imported_by=user,
        received_on=received_on or timezone.localdate(),
    )
    with path.open("rb") as handle:
        request_list.file.save(Path(request_list.original_name).name, File(handle))
    return request_list


def request_list_import(
    *,
    request_list: RequestList,
    user=None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> tuple[ImportReport, dict]:
    """Import the list's file into termination requests and return the report with
    the matching tally. A dry run writes nothing; neither does a run with a
    rejected row unless `skip_invalid`.

    A real run imports only an open preview (see RequestList) and holds a lock on
    the list, so a second click on «Confirmar» waits and then finds it imported.
    """
    if dry_run:
        return _request_list_run(request_list, user, dry_run, skip_invalid)
    with transaction.atomic():
        locked = RequestList.objects.select_for_update().get(pk=request_list.pk)
        if locked.status == RequestList.Status.IMPORTED:
            raise TerminationError(_("Esta lista ya se importó."))
        if not locked.is_open_preview:
            raise TerminationError(
                ngettext(
                    "Esta vista previa ya no se puede confirmar: está %(status)s o "
                    "pasó más de %(hours)s hora desde que se cargó. Cargue el "
                    "archivo de nuevo.",
                    "Esta vista previa ya no se puede confirmar: está %(status)s o "
                    "pasaron más de %(hours)s horas desde que se cargó. Cargue el "
                    "archivo de nuevo.",
                    settings.TERMINATION_LIST_PREVIEW_HOURS,
                )
                % {
                    "status": locked.get_status_display().lower(),
                    "hours": settings.TERMINATION_LIST_PREVIEW_HOURS,
                }
            )
        if locked.has_no_valid_rows:
            raise TerminationError(
                _(
                    "Ninguna fila de la lista es válida, así que no hay nada que "
                    "importar. Corrija el archivo y cárguelo de nuevo."
                )
            )
        result = _request_list_run(locked, user, dry_run, skip_invalid)
    request_list.refresh_from_db()
    return result


def _request_list_run(
    request_list: RequestList, user, dry_run: bool, skip_invalid: bool
) -> tuple[ImportReport, dict]:
    path = Path(request_list.file.path)
    if not request_list.content_sha256:
        request_list.content_sha256 = _file_sha256(path)
    importer = TerminationRequestImporter(request_list=request_list, user=user)
    report = run_import(
        importer,
        path,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    report.notes.extend(importer.report_notes())
    tally = dict(importer.tally) if report.committed or dry_run else {}

    request_list.received_columns = importer.received_columns or []
    request_list.report = {
        **report.as_dict(),
        "tally": tally,
        "samples": importer.samples if report.committed or dry_run else {},
        "same_file": request_list_same_file_warnings(request_list=request_list),
    }
    if not dry_run:
        request_list.status = (
            RequestList.Status.IMPORTED
            if report.committed
            else RequestList.Status.REJECTED
        )
    request_list.save()
    logger.info(
        "Request list %s %s: %s rows, %s rejected",
        request_list.pk,
        "previewed" if dry_run else "imported",
        report.rows,
        report.rejected,
    )
    return report, tally


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def request_list_same_file_warnings(*, request_list: RequestList) -> list[str]:
    """Return a Spanish warning for each earlier imported list whose file had the
    same bytes (same SHA-256), naming its competitor, upload time and uploader."""
    if not request_list.content_sha256:
        return []
    earlier = (
        RequestList.objects.filter(
            content_sha256=request_list.content_sha256,
            status=RequestList.Status.IMPORTED,
        )
        .exclude(pk=request_list.pk)
        .select_related("competitor", "imported_by")
        .order_by("created_at", "pk")
    )
    return [
        _(
            "Este mismo archivo (idéntico byte a byte, misma huella SHA-256) ya "
            "se cargó el %(when)s, por %(user)s, y se importó como lista de "
            "%(competitor)s («%(name)s»). Revise que no sea un envío repetido."
        )
        % {
            "when": timezone.localtime(other.created_at).strftime("%d/%m/%Y %H:%M"),
            "user": other.imported_by or _("un usuario sin registrar"),
            "competitor": other.competitor,
            "name": other.original_name,
        }
        for other in earlier
    ]


def request_list_preview(*, competitor, uploaded, user) -> RequestList:
    """Store an uploaded list and validate and match it without writing requests.

    Raise TerminationError, keeping nothing, when the file cannot be read as a
    list at all (damaged, no header row, a required column missing). Previews
    abandoned earlier are discarded first, so they never pile up.
    """
    request_list_discard_abandoned()
    suffix = Path(uploaded.name).suffix.lower()
    with transaction.atomic():
        request_list = RequestList(
            competitor=competitor,
            original_name=Path(uploaded.name).name[:200],
            imported_by=user,
        )
        request_list.file.save(f"lista{suffix}", uploaded)
        try:
            report, _tally = request_list_import(
                request_list=request_list, user=user, dry_run=True
            )
        except Exception:
            _stored_file_delete(request_list.file.name)
            raise
        file_errors = [issue.message for issue in report.errors if issue.row == 0]
        if file_errors:
            transaction.set_rollback(True)
            _stored_file_delete(request_list.file.name)
            logger.info(
                "Upload %r of competitor %s rejected: the file cannot be read",
                request_list.original_name,
                competitor.pk,
            )
            raise TerminationError(" ".join(file_errors))
    return request_list


def request_list_discard(
    *, request_list: RequestList, user: User | None, reason: str = ""
) -> None:
    """Discard a preview without importing it. The record stays, with who and
    when, and its stored file is deleted once the change commits."""
    with transaction.atomic():
        locked = RequestList.objects.select_for_update().get(pk=request_list.pk)
        if locked.status != RequestList.Status.PREVIEW:
            raise TerminationError(
                _("Solo se descarta una vista previa, y esta lista está %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        stored_name = locked.file.name
        locked.status = RequestList.Status.DISCARDED
        locked.discarded_at = timezone.now()
        locked.discarded_by = user
        locked.file = ""
        locked._change_reason = reason or _("Vista previa descartada")
        locked.save()
        transaction.on_commit(lambda: _stored_file_delete(stored_name))
    request_list.refresh_from_db()
    logger.info(
        "Request list %s discarded by %s",
        request_list.pk,
        f"user {user.pk}" if user else "expiry",
    )


def request_list_discard_abandoned(*, now=None) -> int:
    """Discard the previews left unconfirmed longer than
    TERMINATION_LIST_PREVIEW_HOURS; return how many."""
    stale = RequestList.objects.filter(
        status=RequestList.Status.PREVIEW,
        created_at__lt=RequestList.preview_cutoff(now),
    )
    count = 0
    for request_list in stale:
        try:
            request_list_discard(
                request_list=request_list,
                user=None,
                reason=ngettext(
                    "Vista previa sin confirmar durante más de %(hours)s hora",
                    "Vista previa sin confirmar durante más de %(hours)s horas",
                    settings.TERMINATION_LIST_PREVIEW_HOURS,
                )
                % {"hours": settings.TERMINATION_LIST_PREVIEW_HOURS},
            )
        except TerminationError:
            # Confirmed or discarded by someone else since the query.
            continue
        count += 1
    return count


def _stored_file_delete(name: str) -> None:
    if name:
        RequestList.file.field.storage.delete(name)


# --- Distribution -------------------------------------------------------------


@dataclass(frozen=True)
class ZoneShare:
    """The requests of one zone and how many each advisor gets."""

    zone: Zone
    counts: tuple[tuple[User, int], ...]


@dataclass(frozen=True)
class DistributionPlan:
    """The advisor chosen for each unassigned request of a list; writing it is
    distribution_confirm's job."""

    request_list: RequestList
    assignments: dict[int, int]
    shares: tuple[ZoneShare, ...]
    # Requests with no account, no zone, or a zone without available advisors.
    unassigned: tuple[TerminationRequest, ...]
    digest: str


def distribution_plan(*, request_list: RequestList) -> DistributionPlan:
    """Spread the list's open requests with no advisor fairly among the available
    advisors of each account's zone (counts differ by at most one per zone)."""
    pending = (
        request_list.requests.open()
        .filter(advisor__isnull=True)
        .select_related("account__zone")
        .order_by("pk")
    )
    by_zone, unassigned = defaultdict(list), []
    for request in pending:
        zone = request.account.zone if request.account_id else None
        if zone is None:
            unassigned.append(request)
        else:
            by_zone[zone].append(request)

    assignments, shares = {}, []
    for zone in sorted(by_zone, key=lambda item: item.pk):
        advisors = list(
            User.objects.advisors().filter(zones=zone, available_for_assignment=True)
        )
        if not advisors:
            unassigned += by_zone[zone]
            continue
        chosen = distribute(
            holdings=[Holding(r.pk, False, None) for r in by_zone[zone]],
            advisor_ids=[advisor.pk for advisor in advisors],
        )
        assignments.update(chosen)
        counts = defaultdict(int)
        for advisor_id in chosen.values():
            counts[advisor_id] += 1
        shares.append(ZoneShare(zone, tuple((a, counts[a.pk]) for a in advisors)))

    digest = hashlib.sha256(
        json.dumps(sorted(assignments.items())).encode()
    ).hexdigest()
    return DistributionPlan(
        request_list=request_list,
        assignments=assignments,
        shares=tuple(shares),
        unassigned=tuple(unassigned),
        digest=digest,
    )


def distribution_confirm(
    *, request_list: RequestList, user: User, plan_digest: str
) -> int:
    """Apply the previewed distribution; returns how many requests were assigned.
    Raises TerminationError when the data changed after the preview."""
    with transaction.atomic():
        RequestList.objects.select_for_update().get(pk=request_list.pk)
        plan = distribution_plan(request_list=request_list)
        if plan.digest != plan_digest:
            raise TerminationError(
                _(
                    "Las solicitudes o los asesores cambiaron después de la vista "
                    "previa. Revise la nueva vista previa y confirme de nuevo."
                )
            )
        by_advisor = defaultdict(list)
        for request_id, advisor_id in plan.assignments.items():
            by_advisor[advisor_id].append(request_id)
        for advisor_id, request_ids in by_advisor.items():
            for request in TerminationRequest.objects.filter(pk__in=request_ids):
                request.advisor_id = advisor_id
                request._change_reason = _("Distribución por zona")
                request.save(update_fields=["advisor", "updated_at"])
    logger.info(
        "Request list %s distributed: %s requests by user %s",
        request_list.pk,
        len(plan.assignments),
        user.pk,
    )
    return len(plan.assignments)


# --- Verification and rejection ---------------------------------------------


def verification_record(
    *,
    request: TerminationRequest,
    user: User,
    result: str,
    evidence_kind: str,
    notes: str = "",
    evidence_file=None,
    submission_token: uuid.UUID | None = None,
) -> Verification:
    """Record what the advisor found and move the request on.

    A confirmed request becomes aceptada. A request the subscriber did not file or
    withdraws gets a numbered desistimiento. A subscriber not located leaves the
    request en verificación until another check.

    The request row stays locked until the verification is written. A form sent
    again with the same `submission_token` raises DuplicateSubmission, naming
    the verification the first sending recorded.
    """
    if evidence_file is None and evidence_kind in Verification.DOCUMENT_EVIDENCE:
        raise TerminationError(
            _(
                "El soporte «%(kind)s» es un documento: adjunte su archivo (PDF, JPEG "
                "o PNG) en «Archivo de soporte»."
            )
            % {"kind": Verification.EvidenceKind(evidence_kind).label}
        )
    if evidence_file is not None:
        documents.check_upload(evidence_file)

    try:
        with transaction.atomic():
            verification = _verification_write(
                request,
                user=user,
                result=result,
                evidence_kind=evidence_kind,
                notes=notes,
                evidence_file=evidence_file,
                submission_token=submission_token,
            )
    except IntegrityError:
        # The request lock serialises two sendings of one form, so a repeated
        # token here was reused on another request, stored concurrently.
        earlier = Verification.objects.filter(submission_token=submission_token)
        if submission_token is None or not earlier.exists():
            raise
        raise DuplicateSubmission(earlier.get()) from None
    logger.info("Request %s verified: %s", request.pk, result)
    return verification


def _verification_write(
    request, *, user, result, evidence_kind, notes, evidence_file, submission_token
) -> Verification:
    locked = TerminationRequest.objects.select_for_update().get(pk=request.pk)
    if submission_token is not None:
        earlier = Verification.objects.filter(submission_token=submission_token)
        if earlier.exists():
            logger.info(
                "Request %s: verification form %s sent again, not recorded",
                request.pk,
                submission_token,
            )
            raise DuplicateSubmission(earlier.get())
    # The state as locked, not as the caller loaded it before the lock.
    request.status = locked.status
    request.is_duplicate = locked.is_duplicate
    if not request.accepts_verification:
        raise TerminationError(
            _("La solicitud está %(status)s; ya no admite verificaciones.")
            % {"status": request.get_status_display().lower()}
        )

    verification = Verification(
        request=request,
        result=result,
        evidence_kind=evidence_kind,
        notes=notes.strip(),
        recorded_by=user,
        submission_token=submission_token,
    )
    if evidence_file is not None:
        extension = upload_extension(evidence_file)
        verification.evidence_file.save(
            f"soporte{extension}", evidence_file, save=False
        )
    verification.save()

    desistimiento = Desistimiento.objects.filter(request_id=request.pk).first()
    if result == Verification.Result.CONFIRMED:
        request.status = TerminationRequest.Status.ACCEPTED
        _desistimiento_annul_on_confirmation(request, desistimiento, verification)
    else:
        request.status = TerminationRequest.Status.VERIFYING
    request.save(update_fields=["status", "updated_at"])
    if verification.needs_desistimiento and desistimiento is None:
        desistimiento_issue(request=request, user=user)
    return verification


def _desistimiento_annul_on_confirmation(request, desistimiento, verification) -> None:
    """Annul the request's desistimiento, keeping its number, because the
    subscriber confirmed the request. It is unsigned here: a signed one makes the
    request desistida, which admits no verification."""
    if desistimiento is None or desistimiento.annulled_at is not None:
        return
    desistimiento.annulled_at = timezone.now()
    desistimiento.annulment_reason = _(
        "La verificación del %(date)s confirmó la solicitud."
    ) % {"date": format_date(timezone.localdate(verification.recorded_at))}
    desistimiento._change_reason = desistimiento.annulment_reason
    desistimiento.save(update_fields=["annulled_at", "annulment_reason"])
    logger.info(
        "Desistimiento %s annulled: request %s confirmed",
        desistimiento.code,
        request.pk,
    )


def request_reject(
    *, request: TerminationRequest, user: User, reason: str, basis: str
) -> None:
    """Reject the request with its reason and legal basis (rechazada motivada)."""
    if not reason.strip() or not basis.strip():
        raise TerminationError(
            _("Escriba el motivo y el fundamento legal del rechazo.")
        )
    if not request.is_open:
        raise TerminationError(_("La solicitud ya no está abierta."))
    request.status = TerminationRequest.Status.REJECTED
    request.rejection_reason = reason.strip()
    request.rejection_basis = basis.strip()
    request.save()
    logger.info("Request %s rejected by user %s", request.pk, user.pk)


def request_assign_account(
    *, request: TerminationRequest, account: SubscriberAccount, user: User
) -> None:
    """Assign by hand the registry account of a request that matched none (a code
    that does not exist, or a cadastral number Excel truncated), with the same
    flags the import sets: repeat, already unlinked, claimed by another
    competitor."""
    if request.account_id is not None:
        raise TerminationError(
            _("La solicitud ya tiene la cuenta %(code)s.")
            % {"code": request.account.account_code}
        )
    if not request.is_open:
        raise TerminationError(_("La solicitud ya no está abierta."))

    with transaction.atomic():
        open_requests = TerminationRequest.objects.open().filter(account=account)
        earlier = (
            open_requests.filter(competitor=request.competitor)
            .exclude(pk=request.pk)
            .order_by("filed_on", "pk")
            .first()
        )
        claimed = open_requests.exclude(competitor=request.competitor)

        request.account = account
        request.match_method = TerminationRequest.MatchMethod.MANUAL
        request.already_unlinked = account.status == SubscriberAccount.Status.UNLINKED
        request.claimed_by_other = claimed.exists()
        if earlier is not None:
            request.is_duplicate = True
            request.duplicate_of = earlier
        request._change_reason = _("Cuenta asignada a mano")
        request.save()
        if request.claimed_by_other:
            for other in claimed.filter(claimed_by_other=False):
                other.claimed_by_other = True
                other.save(update_fields=["claimed_by_other", "updated_at"])
    logger.info(
        "Request %s assigned to account %s by user %s",
        request.pk,
        account.account_code,
        user.pk,
    )


def request_unassign_account(
    *, request: TerminationRequest, user: User, reason: str
) -> None:
    """Undo the account of a request, found by the list's import or assigned by
    hand, with a reason, and flag the request «sin coincidencia» again so the
    right account can be assigned. The history keeps the account, who undid
    it, when and why.

    Allowed only while nothing has relied on the account. The request must
    still be radicada, with no verification (so the advisor has not called
    that account's subscriber), no desistimiento (a numbered form printed
    with its data) and no reconciliation agreement. No later request of the
    competitor may be marked as a repeat of it. A request that the assignment
    made a repeat is still radicada, so it may be undone. The advisor is kept and may be changed
    with request_assign_advisor. Raises TerminationError with a Spanish
    message otherwise.
    """
    reason = reason.strip()
    if not reason:
        raise TerminationError(
            _("Escriba el motivo para deshacer la asignación de la cuenta.")
        )
    with transaction.atomic():
        locked = (
            TerminationRequest.objects.select_for_update(of=("self",))
            .select_related("account")
            .get(pk=request.pk)
        )
        _unassign_check(locked)
        account = locked.account
        locked.account = None
        locked.match_method = TerminationRequest.MatchMethod.NONE
        locked.already_unlinked = False
        locked.claimed_by_other = False
        locked.is_duplicate = False
        locked.duplicate_of = None
        locked._change_reason = _("Cuenta %(code)s desasignada: %(reason)s") % {
            "code": account.account_code,
            "reason": reason,
        }
        locked._history_user = user
        locked.save()
        _claims_recompute(account)
    request.refresh_from_db()
    logger.info(
        "Request %s: account %s undone by user %s",
        request.pk,
        account.account_code,
        user.pk,
    )


def request_account_undoable(request: TerminationRequest) -> bool:
    """Return True when request_unassign_account would accept `request`."""
    try:
        _unassign_check(request)
    except TerminationError:
        return False
    return True


def _unassign_check(request: TerminationRequest) -> None:
    """Raise TerminationError when the request's account may not be undone (see
    request_unassign_account)."""
    if request.account_id is None:
        raise TerminationError(_("La solicitud no tiene cuenta asignada."))
    code = request.account.account_code
    if request.status != TerminationRequest.Status.FILED:
        raise TerminationError(
            _(
                "La solicitud está %(status)s: la cuenta %(code)s ya se usó en su "
                "trámite y no se puede desasignar."
            )
            % {"status": request.get_status_display().lower(), "code": code}
        )
    blockers = [
        (
            request.verifications.exists(),
            _(
                "La cuenta %(code)s ya no se puede desasignar: la solicitud tiene "
                "verificaciones con esa cuenta."
            ),
        ),
        (
            Desistimiento.objects.filter(request=request).exists(),
            _(
                "La cuenta %(code)s ya no se puede desasignar: la solicitud tiene un "
                "desistimiento con los datos de esa cuenta."
            ),
        ),
        (
            request.agreements.exists(),
            _(
                "La cuenta %(code)s ya no se puede desasignar: la solicitud figura "
                "en una reunión de conciliación."
            ),
        ),
        (
            request.repeats.exists(),
            _(
                "La cuenta %(code)s ya no se puede desasignar: otra solicitud del "
                "competidor figura como repetición de esta."
            ),
        ),
    ]
    for blocked, message in blockers:
        if blocked:
            raise TerminationError(message % {"code": code})


def _claims_recompute(account: SubscriberAccount) -> None:
    """Clear «reclamada por otro competidor» on the account's open requests that
    no open request of another competitor claims any longer, as the assignment
    sets it."""
    open_requests = TerminationRequest.objects.open().filter(account=account)
    for other in open_requests.filter(claimed_by_other=True):
        rivals = open_requests.exclude(competitor_id=other.competitor_id)
        if not rivals.exists():
            other.claimed_by_other = False
            other._change_reason = _("Ya no la reclama otro competidor")
            other.save(update_fields=["claimed_by_other", "updated_at"])


def request_assign_advisor(
    *, request: TerminationRequest, advisor: User, user: User, reason: str = ""
) -> None:
    """Assign an open request to `advisor` by hand, or move it to another one.

    The advisor must be active and have the advisor role. The change is kept in
    the request's history with who made it, the previous advisor and the
    reason, so a mistaken assignment is undone by assigning again.
    Raises TerminationError with a Spanish message otherwise.
    """
    if not User.objects.advisors().filter(pk=advisor.pk).exists():
        raise TerminationError(
            _(
                "%(name)s no puede recibir solicitudes: no es un asesor comercial "
                "activo. Elija un asesor de la lista."
            )
            % {"name": advisor}
        )
    with transaction.atomic():
        # Only the request's row is locked: PostgreSQL cannot lock the nullable
        # side of the outer join to the advisor.
        locked = (
            TerminationRequest.objects.select_for_update(of=("self",))
            .select_related("advisor")
            .get(pk=request.pk)
        )
        if not locked.is_open:
            raise TerminationError(
                _("La solicitud ya no está abierta; no se reasigna.")
            )
        previous = locked.advisor
        if previous is not None and previous.pk == advisor.pk:
            raise TerminationError(
                _("La solicitud ya está asignada a %(name)s.") % {"name": advisor}
            )
        locked.advisor = advisor
        change = (
            _("Asignada a mano a %(new)s (antes: %(old)s)")
            % {"new": advisor, "old": previous}
            if previous is not None
            else _("Asignada a mano a %(new)s") % {"new": advisor}
        )
        reason = reason.strip()
        locked._change_reason = f"{change}. {reason}" if reason else change
        locked._history_user = user
        locked.save(update_fields=["advisor", "updated_at"])
    request.refresh_from_db()
    logger.info(
        "Request %s assigned to advisor %s (was %s) by user %s",
        request.pk,
        advisor.pk,
        previous.pk if previous is not None else None,
        user.pk,
    )


def account_candidates(*, request: TerminationRequest, limit: int = 10) -> list:
    """Return registry accounts a person may mean for an unmatched request: first
    those with the subscriber's document number as the competitor wrote it, then,
    for a truncated cadastral number, those whose number begins with the 15
    digits Excel kept."""
    accounts = SubscriberAccount.objects.select_related("municipality").order_by(
        "account_code"
    )
    candidates = []
    id_number = normalise_id(request.received.get("CÉDULA / NIT", ""))
    if id_number:
        candidates += accounts.filter(id_number=id_number)[:limit]
    if request.cadastral_number_truncated and request.received_code:
        # NOTE: Excel rounds to 15 significant digits, so when the 16th digit was 5
        # or more the 15th differs from the true number and this prefix misses it.
        prefix = request.received_code[:EXCEL_SIGNIFICANT_DIGITS]
        candidates += accounts.filter(cadastral_number__startswith=prefix)[:limit]
    unique = {account.pk: account for account in candidates}
    return list(unique.values())[:limit]


# --- Desistimientos -------------------------------------------------------------


def desistimiento_issue(*, request: TerminationRequest, user: User) -> Desistimiento:
    """Number a desistimiento form for the request (DES-2026-00001)."""
    if request.account_id is None:
        raise TerminationError(
            _(
                "La solicitud no coincide con ninguna cuenta del catastro; "
                "asígnele la cuenta antes de generar el desistimiento."
            )
        )
    with transaction.atomic():
        year = timezone.localdate().year
        taken = number_take(kind="desistimiento", year=year)
        desistimiento = Desistimiento.objects.create(
            request=request,
            code=taken.code,
            year=year,
            number=taken.number,
            issued_by=user,
        )
    logger.info("Desistimiento %s issued for request %s", taken.code, request.pk)
    return desistimiento


def desistimiento_pdf(desistimiento: Desistimiento) -> bytes:
    """Render the form to sign, with the subscriber's and the request's data."""
    return documents.desistimiento_render(
        documents.desistimiento_context(desistimiento)
    )


def desistimiento_upload_signed(
    *, desistimiento: Desistimiento, uploaded, user: User
) -> bool:
    """Store the signed scan (PDF, JPEG or PNG, checked by content); the request
    becomes desistida, which stops its clocks. Returns True when it replaced an
    earlier scan, which stays on disk under its own name (the history records it)."""
    if desistimiento.delivery_id is not None:
        raise TerminationError(
            _("El desistimiento %(code)s ya se entregó; no se puede reemplazar.")
            % {"code": desistimiento.code}
        )
    if desistimiento.annulled_at is not None:
        raise TerminationError(
            _("El desistimiento %(code)s está anulado (%(reason)s); no admite firma.")
            % {"code": desistimiento.code, "reason": desistimiento.annulment_reason}
        )
    content_type = documents.check_upload(uploaded)
    extension = upload_extension(uploaded)
    replaced = bool(desistimiento.signed_file)
    with transaction.atomic():
        # The storage gives the new scan a free name, so the earlier one is kept.
        desistimiento.signed_file.save(
            f"{desistimiento.code}{extension}", uploaded, save=False
        )
        desistimiento.signed_content_type = content_type
        desistimiento.signed_uploaded_at = timezone.now()
        desistimiento.signed_uploaded_by = user
        desistimiento.save()
        request = desistimiento.request
        request.status = TerminationRequest.Status.WITHDRAWN
        request.save(update_fields=["status", "updated_at"])
    logger.info(
        "Signed desistimiento %s uploaded%s",
        desistimiento.code,
        " (replacing an earlier scan)" if replaced else "",
    )
    return replaced


# --- Delivery to the competitor ---------------------------------------------


def delivery_candidates(*, competitor, today: date | None = None):
    """Signed, not annulled desistimientos of desistida requests of `competitor`
    not yet delivered whose response term (15 business days by default) has
    passed."""
    today = today or timezone.localdate()
    return (
        Desistimiento.objects.filter(
            request__competitor=competitor,
            request__status=TerminationRequest.Status.WITHDRAWN,
            annulled_at__isnull=True,
            delivery__isnull=True,
            request__response_due_on__lt=today,
        )
        .exclude(signed_file="")
        .select_related("request__account", "request__competitor")
        .order_by("number")
    )


def delivery_create(
    *,
    competitor,
    desistimientos: Sequence[Desistimiento],
    user: User,
    received_by: str,
    delivered_on: date | None = None,
) -> DeliveryBatch:
    """Deliver signed desistimientos to the competitor: one workbook, one PDF of
    every signed form and the record (acta). Raises TerminationError when one was
    already delivered, is unsigned, belongs to another competitor or its response
    term has not passed."""
    delivered_on = delivered_on or timezone.localdate()
    if not received_by.strip():
        raise TerminationError(_("Escriba quién recibe la entrega."))
    if not desistimientos:
        raise TerminationError(_("Elija al menos un desistimiento para entregar."))

    with transaction.atomic():
        locked = list(
            # Only the desistimiento rows are locked: PostgreSQL cannot lock the
            # nullable side of the joins that select_related adds.
            Desistimiento.objects.select_for_update(of=("self",))
            .filter(pk__in=[item.pk for item in desistimientos])
            .select_related("request__account__municipality", "request__competitor")
            .order_by("number")
        )
        for desistimiento in locked:
            _check_deliverable(desistimiento, competitor, delivered_on)

        batch = DeliveryBatch.objects.create(
            competitor=competitor,
            delivered_on=delivered_on,
            delivered_by=user,
            received_by=received_by.strip(),
            desistimiento_count=len(locked),
        )
        _delivery_files(batch, locked)
        Desistimiento.objects.filter(pk__in=[item.pk for item in locked]).update(
            delivery=batch
        )
    logger.info("Delivery %s: %s desistimientos", batch.pk, len(locked))
    return batch


def _check_deliverable(desistimiento, competitor, delivered_on: date) -> None:
    code = desistimiento.code
    if desistimiento.delivery_id is not None:
        raise TerminationError(
            _("El desistimiento %(code)s ya se entregó; no se entrega dos veces.")
            % {"code": code}
        )
    if not desistimiento.signed_file:
        raise TerminationError(
            _("El desistimiento %(code)s no tiene el formato firmado; cárguelo antes.")
            % {"code": code}
        )
    if (
        desistimiento.annulled_at is not None
        or desistimiento.request.status != TerminationRequest.Status.WITHDRAWN
    ):
        raise TerminationError(
            _(
                "El desistimiento %(code)s no se puede entregar: su solicitud está "
                "%(status)s, no desistida, o el desistimiento está anulado."
            )
            % {
                "code": code,
                "status": desistimiento.request.get_status_display().lower(),
            }
        )
    if desistimiento.request.competitor_id != competitor.pk:
        raise TerminationError(
            _("El desistimiento %(code)s es de otro competidor.") % {"code": code}
        )
    due = desistimiento.request.response_due_on
    if delivered_on <= due:
        days = settings.TERMINATION_RESPONSE_BUSINESS_DAYS
        raise TerminationError(
            ngettext(
                "El desistimiento %(code)s todavía no se puede entregar: el plazo "
                "de respuesta de %(days)s día hábil de su solicitud vence el "
                "%(due)s. Entréguelo a partir del %(first)s.",
                "El desistimiento %(code)s todavía no se puede entregar: el plazo "
                "de respuesta de %(days)s días hábiles de su solicitud vence el "
                "%(due)s. Entréguelo a partir del %(first)s.",
                days,
            )
            % {
                "code": code,
                "days": days,
                "due": format_date(due),
                "first": format_date(due + timedelta(days=1)),
            }
        )


def _delivery_files(batch: DeliveryBatch, desistimientos) -> None:
    """Build the workbook, the bundle of signed forms and the record, then store
    them. Nothing is written until all three are built, and files stored by a
    failed attempt are deleted (a database rollback does not remove them)."""
    rows, signed, listed = [], [], []
    for desistimiento in desistimientos:
        request = desistimiento.request
        account = request.account
        verification = request.verifications.first()
        rows.append(
            [
                desistimiento.code,
                account.account_code,
                account.name,
                account.identification_display,
                account.address,
                request.filed_on,
                verification.get_result_display() if verification else "",
            ]
        )
        listed.append(
            {
                "code": desistimiento.code,
                "account_code": account.account_code,
                "name": account.name,
                "filed_on": request.filed_on,
            }
        )
        with desistimiento.signed_file.open("rb") as handle:
            signed.append(
                (desistimiento.code, handle.read(), desistimiento.signed_content_type)
            )

    try:
        bundle = documents.signed_forms_merge(signed)
    except documents.SignedFormError as error:
        logger.warning("Delivery %s: signed form %s unreadable", batch.pk, error.code)
        raise TerminationError(
            _(
                "El formato firmado del desistimiento %(code)s está dañado y no se "
                "puede unir a la entrega. Cargue de nuevo el escaneo firmado de "
                "%(code)s y repita la entrega."
            )
            % {"code": error.code}
        ) from error
    workbook = documents.delivery_workbook(rows)
    record = documents.delivery_record_render(
        {
            "company_name": settings.COMPANY_NAME,
            "company_nit": settings.COMPANY_NIT,
            "competitor": batch.competitor,
            "delivered_on": batch.delivered_on,
            "delivered_by": batch.delivered_by,
            "received_by": batch.received_by,
            "count": len(listed),
            "rows": listed,
        }
    )

    stamp = f"{batch.delivered_on:%Y%m%d}-{batch.pk}"
    try:
        batch.workbook.save(f"entrega-{stamp}.xlsx", ContentFile(workbook), save=False)
        batch.bundle.save(
            f"desistimientos-{stamp}.pdf", ContentFile(bundle), save=False
        )
        batch.record.save(f"acta-{stamp}.pdf", ContentFile(record), save=False)
        batch.save()
    except Exception:
        _delivery_files_delete(batch)
        raise


def _delivery_files_delete(batch: DeliveryBatch) -> None:
    for field in (batch.workbook, batch.bundle, batch.record):
        if field:
            field.delete(save=False)


# --- Reconciliation and registry updates --------------------------------------


@dataclass(frozen=True)
class AgreementInput:
    """The outcome agreed for one account, as a meeting form submits it, with
    the number of the form's line that wrote it, if any."""

    account: SubscriberAccount
    outcome: str
    notes: str = ""
    line: int | None = None

    def label(self) -> str:
        """Return how staff messages name the agreement: its line and account."""
        if self.line is None:
            return _("Cuenta %(code)s") % {"code": self.account.account_code}
        return _("Línea %(line)s (cuenta %(code)s)") % {
            "line": self.line,
            "code": self.account.account_code,
        }


def meeting_record(
    *,
    competitor,
    held_on: date,
    attendees: str,
    agreements: Sequence[AgreementInput],
    user: User,
    frequency: str = ReconciliationMeeting.Frequency.MONTHLY,
    documents_delivered: str = "",
    documents_received: str = "",
    minutes=None,
    submission_token: uuid.UUID | None = None,
) -> ReconciliationMeeting:
    """Record a reconciliation meeting and apply its agreements: leaving accounts
    are scheduled to unlink on their effective date (never before), retained ones
    close their request, newly linked ones are recorded as novelties.

    Meetings of one competitor are recorded one at a time (its row is locked). A
    form sent again with the same `submission_token` raises DuplicateSubmission,
    naming the meeting the first sending recorded.

    Raises TerminationError, recording nothing, when the meeting is dated after
    today or an agreement does not apply to its account (see _agreement_check)."""
    if not attendees.strip():
        raise TerminationError(_("Escriba los asistentes a la reunión."))
    if held_on > timezone.localdate():
        raise TerminationError(
            _(
                "La fecha de la reunión (%(day)s) es posterior a hoy. Registre la "
                "reunión el día en que se realizó o después."
            )
            % {"day": format_date(held_on)}
        )
    if minutes is not None:
        documents.check_upload(minutes)

    try:
        with transaction.atomic():
            Competitor.objects.select_for_update().get(pk=competitor.pk)
            if submission_token is not None:
                earlier = ReconciliationMeeting.objects.filter(
                    submission_token=submission_token
                ).first()
                if earlier is not None:
                    logger.info(
                        "Meeting form %s sent again; meeting %s kept as it was",
                        submission_token,
                        earlier.pk,
                    )
                    raise DuplicateSubmission(earlier)
            meeting = ReconciliationMeeting(
                competitor=competitor,
                held_on=held_on,
                frequency=frequency,
                attendees=attendees.strip(),
                documents_delivered=documents_delivered.strip(),
                documents_received=documents_received.strip(),
                created_by=user,
                submission_token=submission_token,
            )
            if minutes is not None:
                extension = upload_extension(minutes)
                meeting.minutes.save(
                    f"acta-{held_on:%Y%m%d}{extension}", minutes, save=False
                )
            meeting.save()
            calendar = BusinessCalendar()
            for item in agreements:
                _agreement_apply(meeting, item, calendar)
    except IntegrityError:
        # The competitor lock serialises two sendings of one form, so a repeated
        # token here was reused on another competitor's meeting.
        earlier = ReconciliationMeeting.objects.filter(
            submission_token=submission_token
        ).first()
        if submission_token is None or earlier is None:
            raise
        raise DuplicateSubmission(earlier) from None
    logger.info(
        "Reconciliation meeting %s recorded with %s agreements",
        meeting.pk,
        len(agreements),
    )
    return meeting


def _agreement_apply(meeting, item: AgreementInput, calendar) -> None:
    Outcome = ReconciliationAgreement.Outcome
    request = (
        TerminationRequest.objects.open()
        .filter(competitor=meeting.competitor, account=item.account)
        .order_by("filed_on", "pk")
        .first()
    )
    _agreement_check(meeting, item, request)
    agreement = ReconciliationAgreement.objects.create(
        meeting=meeting,
        account=item.account,
        request=request,
        outcome=item.outcome,
        notes=item.notes.strip(),
    )
    account = item.account
    if item.outcome == Outcome.LEAVES:
        effective_due = (
            request.effective_due_on
            if request
            else calendar.add_calendar_months(
                meeting.held_on, settings.TERMINATION_EFFECTIVE_MONTHS
            )
        )
        # The unlinking never comes before the effective date, nor before the
        # meeting that agreed it.
        unlinking_on = max(effective_due, calendar.next_business_day(meeting.held_on))
        if request is not None:
            request.status = TerminationRequest.Status.ACCEPTED
            request.unlinking_on = unlinking_on
            request.save(update_fields=["status", "unlinking_on", "updated_at"])
        # An account claimed by two competitors leaves at the first unlinking.
        scheduled = [unlinking_on, _earliest_accepted_unlinking(account)]
        if account.unlinking_scheduled_on:
            scheduled.append(account.unlinking_scheduled_on)
        _account_schedule_set(account, min(day for day in scheduled if day))
        _novelty_record(
            account=account,
            kind=RegistryNovelty.Kind.UNLINKED,
            effective_on=unlinking_on,
            agreement=agreement,
            request=request,
        )
    elif item.outcome == Outcome.RETAINED:
        if request is not None:
            request.status = TerminationRequest.Status.WITHDRAWN
            request.save(update_fields=["status", "updated_at"])
        # Another competitor's accepted request may still take the account.
        _account_schedule_set(account, _earliest_accepted_unlinking(account))
    elif item.outcome == Outcome.LINKED:
        account.status = SubscriberAccount.Status.ACTIVE
        account.linked_on = meeting.held_on
        account.unlinked_on = None
        account.save(update_fields=["status", "linked_on", "unlinked_on"])
        _novelty_record(
            account=account,
            kind=RegistryNovelty.Kind.LINKED,
            effective_on=meeting.held_on,
            agreement=agreement,
        )


def _agreement_check(meeting, item: AgreementInput, request) -> None:
    """Raise TerminationError naming the line when the agreement does not apply:
    a new linking of an account that is already active, or any other outcome
    for an account without an open termination request from the competitor.
    A retained account may instead have a withdrawn request (desistida), whose
    desistimiento the meeting confirms."""
    if item.outcome == ReconciliationAgreement.Outcome.LINKED:
        # The stored status counts, locked until the meeting is recorded: the
        # caller's account object may predate a termination that became effective.
        status = (
            SubscriberAccount.objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=item.account.pk)
        )
        if status == SubscriberAccount.Status.ACTIVE:
            raise TerminationError(
                _(
                    "%(agreement)s: la cuenta ya está activa, así que no puede "
                    "acordarse como vinculada. Revise el código o el acuerdo."
                )
                % {"agreement": item.label()}
            )
        return
    if request is None and not _retains_withdrawn(meeting, item):
        raise TerminationError(
            _(
                "%(agreement)s: la cuenta no tiene una solicitud de terminación "
                "de %(competitor)s que siga abierta. Revise el código, o quite la "
                "línea si la solicitud ya se cerró."
            )
            % {"agreement": item.label(), "competitor": meeting.competitor.name}
        )


def _retains_withdrawn(meeting, item: AgreementInput) -> bool:
    return (
        item.outcome == ReconciliationAgreement.Outcome.RETAINED
        and TerminationRequest.objects.filter(
            competitor=meeting.competitor,
            account=item.account,
            status=TerminationRequest.Status.WITHDRAWN,
            is_duplicate=False,
        ).exists()
    )


def _earliest_accepted_unlinking(account: SubscriberAccount) -> date | None:
    return (
        TerminationRequest.objects.filter(
            account=account,
            status=TerminationRequest.Status.ACCEPTED,
            unlinking_on__isnull=False,
        )
        .order_by("unlinking_on")
        .values_list("unlinking_on", flat=True)
        .first()
    )


def _account_schedule_set(account: SubscriberAccount, day: date | None) -> None:
    if account.unlinking_scheduled_on != day:
        account.unlinking_scheduled_on = day
        account.save(update_fields=["unlinking_scheduled_on"])


def _novelty_record(
    *, account, kind: str, effective_on: date, agreement, request=None
) -> RegistryNovelty:
    """Record a linking or unlinking to report, unless the account's latest
    novelty is already of that kind. Then that novelty is returned instead,
    moved to the earlier date while it is unreported, so a second competitor's
    agreement on an account already leaving adds no second unlinking."""
    latest = (
        RegistryNovelty.objects.select_for_update()
        .filter(account=account)
        .order_by("-effective_on", "-pk")
        .first()
    )
    if latest is None or latest.kind != kind:
        return RegistryNovelty.objects.create(
            account=account,
            kind=kind,
            effective_on=effective_on,
            agreement=agreement,
            request=request,
        )
    if latest.reported_on is None and effective_on < latest.effective_on:
        latest.effective_on = effective_on
        latest._change_reason = _(
            "Otro acuerdo de conciliación adelantó la fecha efectiva"
        )
        latest.save(update_fields=["effective_on"])
    logger.info(
        "Account %s already has novelty %s of kind %s; no second one recorded",
        account.pk,
        latest.pk,
        kind,
    )
    return latest


def terminations_due(*, on: date):
    """Return the accepted termination requests whose unlinking date is `on` or
    earlier: legally effective by then, though not yet recorded as efectiva.
    Earliest unlinking first."""
    return TerminationRequest.objects.filter(
        status=TerminationRequest.Status.ACCEPTED, unlinking_on__lte=on
    ).order_by("unlinking_on", "pk")


def terminations_make_effective(
    *, today: date | None = None, user: User | None = None
) -> int:
    """Unlink the accounts whose scheduled unlinking date has come; their requests
    become efectiva. Returns how many. An account claimed by two competitors
    keeps the date of its first unlinking. The history of each request and
    account records `user` (None for the scheduled command) and the reason."""
    today = today or timezone.localdate()
    due = terminations_due(on=today).select_related("account")
    count = 0
    with transaction.atomic():
        for request in due.select_for_update(of=("self",)):
            reason = _(
                "Terminación efectiva: llegó su fecha de desvinculación, el %(date)s"
            ) % {"date": format_date(request.unlinking_on)}
            account = request.account
            account.refresh_from_db(fields=["status", "unlinked_on"])
            if account.status != SubscriberAccount.Status.UNLINKED:
                account.status = SubscriberAccount.Status.UNLINKED
                account.unlinked_on = request.unlinking_on
            account.unlinking_scheduled_on = None
            account._history_user = user
            account._change_reason = reason
            account.save(
                update_fields=["status", "unlinked_on", "unlinking_scheduled_on"]
            )
            request.status = TerminationRequest.Status.EFFECTIVE
            request._history_user = user
            request._change_reason = reason
            request.save(update_fields=["status", "updated_at"])
            count += 1
    if count:
        logger.info(
            "%s terminations became effective as of %s, by user %s",
            count,
            today,
            user.pk if user else None,
        )
    return count


@dataclass(frozen=True)
class NoveltyReport:
    """The novedades for the joint-billing company as of one date, read from the
    novelties recorded up to `last_id`.

    `novelties` are every pending novelty the report closes. `reported` leaves
    out repeats: a second linking or unlinking of an account after one of the
    same kind (pending here or reported before), as an account claimed by two
    competitors gets. The billing company receives each change once."""

    on: date
    applies_from: date
    last_id: int
    novelties: tuple[RegistryNovelty, ...]
    reported: tuple[RegistryNovelty, ...]
    # Accepted requests due by `on` and not yet recorded as efectiva: marking
    # the report, or the daily make_terminations_effective, records them.
    due_terminations: tuple[TerminationRequest, ...] = ()

    @property
    def accounts_to_unlink(self) -> frozenset[int]:
        """Return the ids of the accounts that the due terminations unlink."""
        return frozenset(request.account_id for request in self.due_terminations)

    @property
    def digest(self) -> str:
        """Return a fingerprint of the novelties the report closes, which the
        page sends back when the user marks it as reported."""
        return _novelty_digest(self.on, self.novelties)

    def rows(self) -> list[list]:
        return [
            [
                novelty.get_kind_display(),
                novelty.account.account_code,
                novelty.account.cadastral_number,
                novelty.account.name,
                novelty.account.identification_display,
                novelty.account.address,
                novelty.account.municipality.name,
                novelty.effective_on,
                max(self.applies_from, novelty.effective_on),
            ]
            for novelty in self.reported
        ]

    def xlsx(self) -> bytes:
        title = _("Novedades de catastro al %(date)s") % {"date": format_date(self.on)}
        return documents.novelties_xlsx(self.rows(), title)

    def csv(self) -> bytes:
        return documents.novelties_csv(self.rows())


def _novelty_digest(on: date, novelties) -> str:
    ids = ",".join(str(novelty.pk) for novelty in novelties)
    return hashlib.sha256(f"{on}|{ids}".encode()).hexdigest()


def novelty_report(
    *, on: date | None = None, last_id: int | None = None
) -> NoveltyReport:
    """Collect the novedades not yet reported that are effective on `on`: an
    unlinking once the account is unlinked or a termination of it is due by
    `on`, a linking from its date. The billing company applies them after the
    configured notice (two calendar months by default).

    Building the report changes nothing: a due termination is listed in
    `due_terminations` and recorded as efectiva when the report is marked
    (novelty_batch_create) or by terminations_make_effective.

    `last_id` pins the report to the novelties recorded when it was first shown
    (the largest id then), so its download and «Marcar como reportadas» leave
    out novelties recorded later. None takes every novelty recorded so far."""
    on = on or timezone.localdate()
    if last_id is None:
        last_id = RegistryNovelty.objects.aggregate(last=Max("pk"))["last"] or 0
    novelties = tuple(_novelties_due(on, last_id))
    due_terminations = tuple(
        terminations_due(on=on).select_related("account", "competitor")
    )
    applies_from = BusinessCalendar().add_calendar_months(
        on, settings.TERMINATION_BILLING_NOTICE_MONTHS
    )
    return NoveltyReport(
        on=on,
        applies_from=applies_from,
        last_id=last_id,
        novelties=novelties,
        reported=tuple(_novelties_without_repeats(novelties)),
        due_terminations=due_terminations,
    )


def _novelties_due(on: date, last_id: int):
    unlinked = Q(account__status=SubscriberAccount.Status.UNLINKED) | Q(
        account__in=terminations_due(on=on).values("account")
    )
    return (
        RegistryNovelty.objects.filter(
            reported_on__isnull=True, effective_on__lte=on, pk__lte=last_id
        )
        .filter(
            Q(kind=RegistryNovelty.Kind.LINKED)
            | (Q(kind=RegistryNovelty.Kind.UNLINKED) & unlinked)
        )
        .select_related("account__municipality")
        .order_by("effective_on", "account__account_code", "pk")
    )


def _novelties_without_repeats(novelties) -> list[RegistryNovelty]:
    """Return `novelties` without those that repeat the kind of the account's
    previous novelty, reported before or earlier in `novelties`."""
    previous_kind = {}
    reported = RegistryNovelty.objects.filter(
        reported_on__isnull=False,
        account__in={novelty.account_id for novelty in novelties},
    ).order_by("effective_on", "pk")
    for account_id, kind in reported.values_list("account", "kind"):
        previous_kind[account_id] = kind
    kept = []
    for novelty in novelties:
        if previous_kind.get(novelty.account_id) == novelty.kind:
            continue
        previous_kind[novelty.account_id] = novelty.kind
        kept.append(novelty)
    return kept


def novelty_batch_create(
    *, on: date, last_id: int, digest: str, user: User
) -> NoveltyBatch:
    """Mark as reported exactly the novedades the user saw and downloaded, as one
    batch that keeps its XLSX and CSV files.

    The report is rebuilt from `on` and `last_id` under a lock on its
    novelties, and the terminations due by `on` become efectiva first, so that
    no unlinking is reported before its termination is recorded as effective.
    Raises DuplicateSubmission, marking nothing, when a batch
    already carries exactly the novelties shown (`digest`), as a second press
    of the button finds. Raises TerminationError, marking nothing, when the
    report differs from the one shown in any other way: partly marked by
    someone else, or changed."""
    with transaction.atomic():
        terminations_make_effective(today=on, user=user)
        report = novelty_report(on=on, last_id=last_id)
        locked = list(
            RegistryNovelty.objects.select_for_update()
            .filter(pk__in=[novelty.pk for novelty in report.novelties])
            .filter(reported_on__isnull=True)
            .values_list("pk", flat=True)
        )
        if (
            not report.reported
            or report.digest != digest
            or len(locked) != len(report.novelties)
        ):
            earlier = _novelty_batch_with_digest(on, digest)
            if earlier is not None:
                raise DuplicateSubmission(earlier)
            raise TerminationError(
                _(
                    "Las novedades pendientes cambiaron desde que abrió la página "
                    "(otra persona las marcó o hubo cambios en el catastro). Vuelva "
                    "a cargar la página, descargue el reporte de nuevo y márquelo "
                    "otra vez."
                )
            )
        batch = NoveltyBatch(
            report_on=report.on,
            applies_from=report.applies_from,
            novelty_count=len(report.reported),
            marked_by=user,
        )
        stamp = f"{report.on:%Y%m%d}"
        batch.workbook.save(
            f"novedades-{stamp}.xlsx", ContentFile(report.xlsx()), save=False
        )
        batch.csv_file.save(
            f"novedades-{stamp}.csv", ContentFile(report.csv()), save=False
        )
        try:
            batch.save()
            for novelty in report.novelties:
                novelty.reported_on = report.on
                novelty.batch = batch
                novelty._change_reason = _("Reportada en el lote %(batch)s") % {
                    "batch": batch.pk
                }
                novelty.save(update_fields=["reported_on", "batch"])
        except Exception:
            for field in (batch.workbook, batch.csv_file):
                field.delete(save=False)
            raise
    logger.info(
        "Novelty batch %s: %s novelties (%s rows) as of %s, marked by user %s",
        batch.pk,
        len(report.novelties),
        len(report.reported),
        report.on,
        user.pk,
    )
    return batch


def _novelty_batch_with_digest(on: date, digest: str) -> NoveltyBatch | None:
    """Return the batch of `on` whose novelties are those a report with
    `digest` listed, or None. The novelties are taken in the report's order."""
    batches = NoveltyBatch.objects.filter(report_on=on).prefetch_related(
        Prefetch(
            "novelties",
            queryset=RegistryNovelty.objects.order_by(
                "effective_on", "account__account_code", "pk"
            ),
        )
    )
    for batch in batches:
        if _novelty_digest(on, batch.novelties.all()) == digest:
            return batch
    return None


# --- Daily digest -----------------------------------------------------------------


DIGEST_EMAIL_KIND = OutgoingEmail.Kind.TERMINATION_DIGEST


def digest_items(*, requests, today: date, horizon: date) -> list[dict]:
    """Deadlines of `requests` that fall from `today` to `horizon`, inclusive."""
    answering = (TerminationRequest.Status.FILED, TerminationRequest.Status.VERIFYING)
    items = []
    for request in requests.open().select_related("account", "competitor", "advisor"):
        if request.status in answering and today <= request.response_due_on <= horizon:
            items.append(
                {
                    "request": request,
                    "kind": _("Plazo de respuesta"),
                    "due": request.response_due_on,
                }
            )
        if today <= request.effective_due_on <= horizon:
            items.append(
                {
                    "request": request,
                    "kind": _("Plazo para hacerla efectiva"),
                    "due": request.effective_due_on,
                }
            )
    return sorted(items, key=lambda item: (item["due"], item["request"].pk))


def digest_overdue(*, requests, today: date) -> list[TerminationRequest]:
    """Requests of `requests` still waiting for a response (radicada or en
    verificación) whose response deadline passed before `today`, oldest
    deadline first."""
    return list(
        requests.open()
        .filter(
            status__in=(
                TerminationRequest.Status.FILED,
                TerminationRequest.Status.VERIFYING,
            ),
            response_due_on__lt=today,
        )
        .select_related("account", "competitor", "advisor")
        .order_by("response_due_on", "pk")
    )


def digest_recipients() -> list[User]:
    """Advisors, directors and coordinators, each once even with several roles."""
    roles = (Role.ADVISOR, Role.DIRECTOR, Role.COORDINATOR)
    recipients: dict[int, User] = {}
    for role in roles:
        for user in User.objects.with_role(role).order_by("pk"):
            recipients.setdefault(user.pk, user)
    return list(recipients.values())


def _digest_subject(items: list, overdue: list, horizon: date) -> str:
    if not overdue:
        return ngettext(
            "Terminaciones: %(count)s plazo vence hasta el %(date)s",
            "Terminaciones: %(count)s plazos vencen hasta el %(date)s",
            len(items),
        ) % {"count": len(items), "date": format_date(horizon)}
    return _(
        "Terminaciones: vencidas %(overdue)s · por vencer hasta el %(date)s: %(count)s"
    ) % {"overdue": len(overdue), "count": len(items), "date": format_date(horizon)}


def digest_send(*, today: date | None = None) -> int:
    """E-mail the termination deadlines: to each advisor those of their own
    requests, to each director and coordinator those of every advisor.

    An e-mail lists the requests whose response is overdue and still open
    («Vencidas»), then the deadlines that fall due in the next business days
    (TERMINATION_DIGEST_BUSINESS_DAYS). Returns the number of e-mails queued;
    users with nothing overdue or due get no e-mail.
    """
    today = today or timezone.localdate()
    horizon = BusinessCalendar().add_business_days(
        today, settings.TERMINATION_DIGEST_BUSINESS_DAYS
    )
    sent = 0
    for user in digest_recipients():
        if not user.email:
            logger.warning("User %s has no e-mail; termination digest skipped", user.pk)
            continue
        visible = TerminationRequest.objects.visible_to(user)
        items = digest_items(requests=visible, today=today, horizon=horizon)
        overdue = digest_overdue(requests=visible, today=today)
        if not items and not overdue:
            continue
        email_queue(
            kind=DIGEST_EMAIL_KIND,
            to=[user.email],
            subject=_digest_subject(items, overdue, horizon),
            template="terminations/email/digest",
            context={
                "user": user,
                "items": items,
                "overdue": overdue,
                "today": today,
                "horizon": horizon,
            },
        )
        sent += 1
    logger.info("Termination digest: %s e-mails queued for %s", sent, today)
    return sent
