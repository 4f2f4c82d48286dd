"""Onboarding workflows: opening it when a quotation is accepted, the review of the
customer's data, the legal documents and their checks, the checklist, and billing's
decision. Other apps ask `customer_is_approved` before billing a customer.

Every function records `user` as the author of the history rows it writes.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import MANAGER_ROLES, Role
from core.uploads import upload_check, upload_extension
from customers.identification import IdType, format_identification, parse_identification
from customers.models import Customer
from customers.services import customer_update
from onboarding.models import (
    CustomerDocument,
    DocumentKind,
    DocumentRequirement,
    Onboarding,
    PaymentTerms,
)

logger = logging.getLogger(__name__)

# Billing decides, and the sales managers may stand in for it.
APPROVER_ROLES = (Role.BILLING, Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR)
# Advisors (their own customers), managers and billing read onboardings and legal
# documents. Operations and logistics see customers' addresses but not these.
READER_ROLES = (*MANAGER_ROLES, Role.ADVISOR, Role.BILLING)

# Statuses in which documents and customer data may change. Nothing changes while
# billing reviews (en revisión). An approved customer may still renew a document,
# such as a newer Cámara de Comercio certificate.
CHANGEABLE_STATUSES = (
    Onboarding.Status.OPEN,
    Onboarding.Status.RETURNED,
    Onboarding.Status.APPROVED,
)
SUBMITTABLE_STATUSES = (Onboarding.Status.OPEN, Onboarding.Status.RETURNED)

HASH_CHUNK_BYTES = 1024 * 1024


def customer_is_approved(customer: Customer) -> bool:
    """Return whether billing approved `customer` in any of its onboardings."""
    return Onboarding.objects.filter(
        customer=customer, status=Onboarding.Status.APPROVED
    ).exists()


def customer_approved_onboarding(customer: Customer) -> Onboarding | None:
    """Return the customer's most recently decided approved onboarding, or None."""
    return (
        Onboarding.objects.filter(customer=customer, status=Onboarding.Status.APPROVED)
        .order_by("-decided_at", "-pk")
        .first()
    )


def customer_onboarding_for_display(customer: Customer, user) -> Onboarding | None:
    """Return the customer's latest onboarding when `user` may read onboardings,
    for links from the customer and quotation pages."""
    if not user_may_read(user):
        return None
    return customer.onboardings.order_by("-opened_at", "-pk").first()


def onboarding_open(*, quotation, user) -> Onboarding:
    """Open the onboarding of the accepted `quotation` and return it.

    Calling it again returns the same onboarding. A customer with an unfinished
    onboarding of an earlier quotation keeps that one, so the same documents are
    never uploaded twice. A customer that billing already approved gets a new
    onboarding that inherits the approval and its payment terms: the documents
    belong to the customer and are not asked for again, and the advisor only
    reviews and updates the customer's data.
    """
    with transaction.atomic():
        existing = Onboarding.objects.filter(quotation=quotation).first()
        if existing is not None:
            return existing
        # Lock the customer so that two quotations accepted at once open one
        # onboarding between them.
        customer = Customer.objects.select_for_update().get(pk=quotation.customer_id)
        unfinished = (
            Onboarding.objects.filter(customer=customer)
            .exclude(status=Onboarding.Status.APPROVED)
            .order_by("-opened_at", "-pk")
            .first()
        )
        if unfinished is not None:
            logger.info(
                "Quotation %s joins unfinished onboarding %s of customer %s",
                quotation.pk,
                unfinished.pk,
                customer.pk,
            )
            return unfinished

        approved = customer_approved_onboarding(customer)
        onboarding = Onboarding(
            customer=customer,
            quotation=quotation,
            opened_by=user,
            is_new_customer=(
                customer.customer_type == Customer.CustomerType.NEW
                and not customer.onboardings.exists()
            ),
        )
        if approved is not None:
            onboarding.status = Onboarding.Status.APPROVED
            onboarding.payment_terms = approved.payment_terms
            onboarding.decided_at = approved.decided_at
            onboarding.decided_by = approved.decided_by
            onboarding.decision_note = _(
                "Cliente aprobado por facturación el %(date)s; sus documentos no se "
                "piden de nuevo. Revise y actualice sus datos."
            ) % {"date": _local_date_text(approved.decided_at)}
        onboarding._history_user = user
        onboarding.save()
    logger.info(
        "Onboarding %s opened for quotation %s (status %s)",
        onboarding.pk,
        quotation.pk,
        onboarding.status,
    )
    return onboarding


def onboarding_review_data(
    *, onboarding: Onboarding, user, fields: dict | None = None
) -> Onboarding:
    """Record that `user` reviewed the customer's data, applying `fields` (cleaned
    by customers.forms.CustomerForm) through the customers app first."""
    _require_status(onboarding, CHANGEABLE_STATUSES)
    with transaction.atomic():
        onboarding = _lock(onboarding)
        _require_status(onboarding, CHANGEABLE_STATUSES)
        changed = []
        if fields:
            customer = onboarding.customer
            before = {name: getattr(customer, name, None) for name in fields}
            customer = customer_update(customer=customer, fields=fields, user=user)
            customer.refresh_from_db()
            changed = [
                name for name in fields if getattr(customer, name, None) != before[name]
            ]
        onboarding.data_reviewed_at = timezone.now()
        onboarding.data_reviewed_by = user
        onboarding._history_user = user
        onboarding.save(update_fields=["data_reviewed_at", "data_reviewed_by"])
        if changed:
            labels = ", ".join(
                str(Customer._meta.get_field(name).verbose_name)
                if name in {f.name for f in Customer._meta.get_fields()}
                else name
                for name in changed
            )
            _send_back_to_review(
                onboarding,
                user,
                _("Datos del cliente cambiados (%(fields)s)") % {"fields": labels},
            )
    logger.info("Onboarding %s data reviewed by user %s", onboarding.pk, user.pk)
    return onboarding


def rut_nit_check(*, customer: Customer, document_id_number: str) -> str:
    """Return the normalised NIT typed from a RUT when it is the customer's own;
    raise ValidationError otherwise. A natural person's NIT is the cédula number
    with a check digit, so the number without DV is compared."""
    raw = (document_id_number or "").strip()
    if not raw:
        raise ValidationError(
            _(
                "Escriba el NIT que figura en el RUT (por ejemplo 900.123.456-8) "
                "para compararlo con el del cliente."
            ),
            code="nit_missing",
        )
    try:
        identification = parse_identification(raw, "", IdType.NIT)
    except ValidationError as error:
        raise ValidationError(
            _("El NIT del RUT «%(value)s» no es válido: %(error)s"),
            params={"value": raw, "error": " ".join(error.messages)},
            code="nit_invalid",
        ) from None
    if identification.number != customer.id_number:
        raise ValidationError(
            _(
                "El NIT del RUT (%(rut)s) no coincide con la identificación del "
                "cliente (%(customer)s). Verifique que el RUT sea de este cliente o "
                "corrija los datos del cliente."
            ),
            params={
                "rut": identification.formatted,
                "customer": customer.identification_display,
            },
            code="nit_mismatch",
        )
    return identification.number


# Document kinds that are a cédula; their number is 3 to 10 digits.
CEDULA_KINDS = (DocumentKind.ID_CARD, DocumentKind.REPRESENTATIVE_ID)
CEDULA_DIGITS = (3, 10)


def cedula_number_check(raw: str, *, label: str) -> str:
    """Return a cédula number without dots or spaces; raise ValidationError naming
    the document when it is not 3 to 10 digits."""
    number = raw.replace(".", "").replace(" ", "")
    shortest, longest = CEDULA_DIGITS
    if not (number.isdigit() and shortest <= len(number) <= longest):
        raise ValidationError(
            _(
                "El número de «%(kind)s» debe tener de %(min)s a %(max)s dígitos, sin "
                "letras; se recibió «%(value)s»."
            ),
            params={"kind": label, "min": shortest, "max": longest, "value": raw},
        )
    return number


def document_upload(
    *,
    onboarding: Onboarding,
    kind: str,
    uploaded,
    user,
    issued_on: date | None = None,
    document_id_number: str = "",
    notes: str = "",
) -> CustomerDocument:
    """Store a legal document of the onboarding's customer after checking its
    content type and size, its issue date and, for the RUT, its NIT.

    The stored name is random (see `document_path`) with the extension of the
    content, never the client's. The customer's current document of the same
    kind stays on disk and in the database, marked as replaced.
    """
    _require_status(onboarding, CHANGEABLE_STATUSES)
    customer = onboarding.customer
    if kind not in DocumentKind.values:
        raise ValidationError(
            _("Elija el tipo de documento; «%(value)s» no es uno de la lista."),
            params={"value": kind},
        )
    content_type = upload_check(uploaded, max_mb=settings.UPLOAD_MAX_MB)

    requirement = DocumentRequirement.objects.filter(
        person_kind=customer.person_kind, kind=kind
    ).first()
    needs_issue_date = (
        requirement.needs_issue_date
        if requirement is not None
        else kind == DocumentKind.CHAMBER_OF_COMMERCE
    )
    label = DocumentKind(kind).label
    if needs_issue_date and issued_on is None:
        raise ValidationError(
            _("Escriba la fecha de expedición del documento «%(kind)s»."),
            params={"kind": label},
        )
    if issued_on is not None and issued_on > timezone.localdate():
        raise ValidationError(
            _(
                "La fecha de expedición %(date)s está en el futuro; escriba la que "
                "figura en el documento."
            ),
            params={"date": f"{issued_on:%d/%m/%Y}"},
        )

    id_number = document_id_number.strip()
    if kind == DocumentKind.RUT:
        id_number = rut_nit_check(customer=customer, document_id_number=id_number)
    elif kind in CEDULA_KINDS and id_number:
        id_number = cedula_number_check(id_number, label=label)

    digest = _sha256(uploaded)
    extension = upload_extension(uploaded)
    stored_name = ""
    try:
        with transaction.atomic():
            previous = []
            if kind != DocumentKind.OTHER:
                previous = list(
                    CustomerDocument.objects.select_for_update().filter(
                        customer=customer, kind=kind, is_current=True
                    )
                )
            # The constraint allows one current document per kind, so the old one
            # stops being current before the new one is inserted.
            for old in previous:
                old.is_current = False
                old._history_user = user
                old.save(update_fields=["is_current"])

            document = CustomerDocument(
                customer=customer,
                onboarding=onboarding,
                kind=kind,
                content_type=content_type,
                size=uploaded.size,
                sha256=digest,
                issued_on=issued_on,
                document_id_number=id_number,
                notes=notes.strip(),
                uploaded_by=user,
            )
            uploaded.seek(0)
            document.file.save(f"documento{extension}", uploaded, save=False)
            stored_name = document.file.name
            document._history_user = user
            document.save()

            for old in previous:
                old.replaced_by = document
                old._history_user = user
                old.save(update_fields=["replaced_by"])

            if previous:
                reason = _("Documento «%(kind)s» reemplazado por uno nuevo") % {
                    "kind": label
                }
            else:
                reason = _("Documento «%(kind)s» agregado") % {"kind": label}
            _send_back_to_review(_lock(onboarding), user, reason)
    except BaseException:
        # The database rolled back; the file written for it must go too.
        if stored_name:
            CustomerDocument._meta.get_field("file").storage.delete(stored_name)
        raise
    logger.info(
        "Document %s (%s) of customer %s uploaded by user %s",
        document.pk,
        kind,
        customer.pk,
        user.pk,
    )
    return document


def requirement_max_age_days(requirement: DocumentRequirement) -> int | None:
    """Return the maximum age in days of `requirement`'s document, or None.

    An empty value on the Cámara de Comercio row means the setting
    CHAMBER_CERTIFICATE_MAX_AGE_DAYS, read when the check runs. An empty value on
    any other row means no limit.
    """
    if requirement.max_age_days is not None:
        return requirement.max_age_days
    if requirement.kind == DocumentKind.CHAMBER_OF_COMMERCE:
        return settings.CHAMBER_CERTIFICATE_MAX_AGE_DAYS
    return None


def document_age_warning(
    document: CustomerDocument,
    requirement: DocumentRequirement,
    *,
    today: date | None = None,
) -> str:
    """Return a Spanish warning when `document` was issued longer ago than its
    requirement allows, or "" when it is recent enough or has no limit."""
    max_age = requirement_max_age_days(requirement)
    if max_age is None or document.issued_on is None:
        return ""
    today = today or timezone.localdate()
    age = (today - document.issued_on).days
    if age <= max_age:
        return ""
    return _(
        "%(kind)s expedido el %(date)s, hace %(age)s días; el máximo es %(max)s "
        "días. Pida al cliente uno reciente."
    ) % {
        "kind": document.get_kind_display(),
        "date": f"{document.issued_on:%d/%m/%Y}",
        "age": age,
        "max": max_age,
    }


@dataclass
class ChecklistItem:
    """One required or optional document and what the customer handed in."""

    requirement: DocumentRequirement
    document: CustomerDocument | None
    state: str
    message: str = ""

    @property
    def blocks_approval(self) -> bool:
        return self.state in (Checklist.MISSING, Checklist.MISMATCH)


@dataclass
class Checklist:
    """The documents an onboarding needs and their state."""

    OK = "ok"
    MISSING = "falta"
    OLD = "antiguo"
    MISMATCH = "no_coincide"
    OPTIONAL = "opcional"

    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def missing(self) -> list[ChecklistItem]:
        """Required documents missing, incomplete or not matching the customer."""
        return [item for item in self.items if item.blocks_approval]

    @property
    def warnings(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.state == self.OLD]

    @property
    def is_complete(self) -> bool:
        return not self.missing


def onboarding_checklist(
    onboarding: Onboarding, *, today: date | None = None
) -> Checklist:
    """Build the checklist from the requirements of the customer's person kind and
    the customer's current documents. A warning (an old certificate) does not
    block approval; a missing document or a RUT of another NIT does."""
    customer = onboarding.customer
    requirements = DocumentRequirement.objects.filter(person_kind=customer.person_kind)
    current = {
        document.kind: document
        for document in customer.documents.current().exclude(kind=DocumentKind.OTHER)
    }
    checklist = Checklist()
    for requirement in requirements:
        document = current.get(requirement.kind)
        checklist.items.append(_checklist_item(customer, requirement, document, today))
    return checklist


def _checklist_item(
    customer: Customer,
    requirement: DocumentRequirement,
    document: CustomerDocument | None,
    today: date | None,
) -> ChecklistItem:
    if document is None:
        if not requirement.is_required:
            return ChecklistItem(requirement, None, Checklist.OPTIONAL)
        return ChecklistItem(
            requirement, None, Checklist.MISSING, _("Falta: súbalo para continuar.")
        )
    if requirement.needs_issue_date and document.issued_on is None:
        return ChecklistItem(
            requirement,
            document,
            Checklist.MISSING,
            _("Falta la fecha de expedición: súbalo de nuevo con la fecha."),
        )
    # The customer's identification may change after the RUT was uploaded.
    if (
        requirement.kind == DocumentKind.RUT
        and document.document_id_number != customer.id_number
    ):
        return ChecklistItem(
            requirement,
            document,
            Checklist.MISMATCH,
            _(
                "El NIT del RUT (%(rut)s) no coincide con la identificación del "
                "cliente (%(customer)s)."
            )
            % {
                "rut": format_identification(IdType.NIT, document.document_id_number),
                "customer": customer.identification_display,
            },
        )
    warning = document_age_warning(document, requirement, today=today)
    if warning:
        return ChecklistItem(requirement, document, Checklist.OLD, warning)
    return ChecklistItem(requirement, document, Checklist.OK)


def _send_back_to_review(onboarding: Onboarding, user, reason: str) -> None:
    """Move an approved onboarding back to billing's review, with `reason` in its
    history, because billing approved the documents and data it saw. Other
    statuses are left as they are (the advisor still submits an open one)."""
    if onboarding.status != Onboarding.Status.APPROVED:
        return
    onboarding.status = Onboarding.Status.IN_REVIEW
    onboarding.submitted_at = timezone.now()
    onboarding._history_user = user
    # simple_history keeps at most 100 characters of a change reason.
    onboarding._change_reason = (
        _("%(reason)s tras la aprobación; vuelve a revisión") % {"reason": reason}
    )[:100]
    onboarding.save(update_fields=["status", "submitted_at"])
    logger.info("Onboarding %s sent back to billing review", onboarding.pk)


def onboarding_submit(*, onboarding: Onboarding, user) -> Onboarding:
    """Send the onboarding to billing once the customer's data were reviewed and
    every required document is in."""
    with transaction.atomic():
        onboarding = _lock(onboarding)
        _require_status(onboarding, SUBMITTABLE_STATUSES)
        if onboarding.data_reviewed_at is None:
            raise ValidationError(
                _(
                    "Revise y confirme los datos del cliente antes de enviar la "
                    "vinculación a facturación."
                )
            )
        _require_complete(onboarding)
        onboarding.status = Onboarding.Status.IN_REVIEW
        onboarding.submitted_at = timezone.now()
        onboarding._history_user = user
        onboarding.save(update_fields=["status", "submitted_at"])
    logger.info("Onboarding %s submitted to billing", onboarding.pk)
    return onboarding


def onboarding_approve(
    *, onboarding: Onboarding, user, payment_terms: str, note: str = ""
) -> Onboarding:
    """Record billing's approval of the customer with its payment terms. Only
    billing and the sales managers approve, and only a complete onboarding."""
    _require_approver(user)
    if payment_terms not in PaymentTerms.values:
        raise ValidationError(
            _("Elija la condición de pago: pago anticipado o crédito.")
        )
    with transaction.atomic():
        onboarding = _lock(onboarding)
        _require_status(onboarding, (Onboarding.Status.IN_REVIEW,))
        _require_complete(onboarding)
        onboarding.status = Onboarding.Status.APPROVED
        onboarding.payment_terms = payment_terms
        _record_decision(onboarding, user, note)
    logger.info(
        "Onboarding %s approved by user %s (%s)", onboarding.pk, user.pk, payment_terms
    )
    return onboarding


def onboarding_return(*, onboarding: Onboarding, user, note: str) -> Onboarding:
    """Return the onboarding to the advisor with billing's observations."""
    _require_approver(user)
    if not note.strip():
        raise ValidationError(
            _("Escriba las observaciones: qué debe corregir o completar el asesor.")
        )
    with transaction.atomic():
        onboarding = _lock(onboarding)
        _require_status(onboarding, (Onboarding.Status.IN_REVIEW,))
        onboarding.status = Onboarding.Status.RETURNED
        _record_decision(onboarding, user, note)
    logger.info("Onboarding %s returned by user %s", onboarding.pk, user.pk)
    return onboarding


def user_may_read(user) -> bool:
    return user.is_superuser or user.has_role(*READER_ROLES)


def user_may_approve(user) -> bool:
    return user.is_superuser or user.has_role(*APPROVER_ROLES)


def _record_decision(onboarding: Onboarding, user, note: str) -> None:
    onboarding.decided_at = timezone.now()
    onboarding.decided_by = user
    onboarding.decision_note = note.strip()
    onboarding._history_user = user
    onboarding.save(
        update_fields=[
            "status",
            "payment_terms",
            "decided_at",
            "decided_by",
            "decision_note",
        ]
    )


def _require_approver(user) -> None:
    if not user_may_approve(user):
        raise PermissionDenied


def _require_status(onboarding: Onboarding, allowed) -> None:
    if onboarding.status not in allowed:
        raise ValidationError(
            _("La vinculación está «%(status)s» y no admite este cambio; %(hint)s"),
            params={
                "status": onboarding.get_status_display(),
                "hint": _status_hint(onboarding),
            },
            code="status",
        )


def _status_hint(onboarding: Onboarding) -> str:
    if onboarding.status == Onboarding.Status.IN_REVIEW:
        return _("espere la decisión de facturación o pida que la devuelva.")
    if onboarding.status == Onboarding.Status.APPROVED:
        return _("el cliente ya está aprobado.")
    return _("envíela primero a facturación.")


def _require_complete(onboarding: Onboarding) -> None:
    missing = onboarding_checklist(onboarding).missing
    if missing:
        raise ValidationError(
            _("Faltan documentos obligatorios o no coinciden: %(documents)s.")
            % {
                "documents": "; ".join(
                    f"{item.requirement.get_kind_display()} ({item.message})"
                    for item in missing
                )
            },
            code="incomplete",
        )


def _lock(onboarding: Onboarding) -> Onboarding:
    return (
        Onboarding.objects.select_for_update()
        .select_related("customer")
        .get(pk=onboarding.pk)
    )


def _sha256(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(HASH_CHUNK_BYTES), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _local_date_text(moment) -> str:
    if moment is None:
        return "—"
    return f"{timezone.localdate(moment):%d/%m/%Y}"
