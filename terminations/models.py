"""Termination requests a competitor files for our subscribers, their verification,
the desistimientos obtained, their delivery to the competitor, the reconciliation
meetings and the novelties (novedades) reported to the joint-billing company."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.calendar import BusinessCalendar
from core.text import fold
from subscribers.models import account_search_text
from subscribers.search import MIN_CADASTRAL_DIGITS, query_words
from terminations.matching import EXCEL_SIGNIFICANT_DIGITS


def signed_form_path(instance, filename: str) -> str:
    # The client's file name never reaches the disk: only its checked extension.
    extension = Path(filename).suffix.lower()
    return f"terminaciones/desistimientos/{instance.code}{extension}"


def evidence_path(instance, filename: str) -> str:
    extension = Path(filename).suffix.lower()
    return f"terminaciones/verificaciones/{instance.request_id}-{instance.pk or 'n'}{extension}"


class RequestListQuerySet(models.QuerySet):
    def received(self):
        """Lists that were imported or whose import was rejected; previews waiting
        for confirmation and discarded previews left out."""
        return self.filter(
            status__in=(RequestList.Status.IMPORTED, RequestList.Status.REJECTED)
        )

    def open_previews(self, now=None):
        """Previews that may still be confirmed: younger than
        TERMINATION_LIST_PREVIEW_HOURS."""
        return self.filter(
            status=RequestList.Status.PREVIEW,
            created_at__gte=RequestList.preview_cutoff(now),
        )


class RequestList(models.Model):
    """One list of termination requests as a competitor delivered it (a file).

    An upload is first a preview: the file validated and matched, nothing
    written. Confirming imports its requests. A preview the user discards, or
    leaves unconfirmed for TERMINATION_LIST_PREVIEW_HOURS, becomes descartada and
    loses its stored file."""

    class Status(models.TextChoices):
        PREVIEW = "vista_previa", _("Vista previa")
        IMPORTED = "importada", _("Importada")
        REJECTED = "rechazada", _("Rechazada")
        DISCARDED = "descartada", _("Descartada")

    competitor = models.ForeignKey(
        "subscribers.Competitor",
        on_delete=models.PROTECT,
        related_name="request_lists",
        verbose_name=_("competidor"),
    )
    original_name = models.CharField(_("archivo recibido"), max_length=200)
    file = models.FileField(
        _("archivo"), upload_to="terminaciones/listas/", max_length=200, blank=True
    )
    received_on = models.DateField(_("fecha de recepción"), default=timezone.localdate)
    # SHA-256 of the file's bytes, to tell when the very same file comes again.
    # Empty for lists stored before it was recorded.
    content_sha256 = models.CharField(
        _("SHA-256 del archivo"), max_length=64, blank=True, db_index=True
    )
    status = models.CharField(
        _("estado"), max_length=12, choices=Status, default=Status.PREVIEW
    )
    report = models.JSONField(_("informe de importación"), default=dict, blank=True)
    # The labels of the columns the file has, in the file's order, which the
    # keys of TerminationRequest.received lose on PostgreSQL (jsonb orders an
    # object's keys its own way). Empty for lists imported before it was
    # recorded.
    received_columns = models.JSONField(
        _("columnas recibidas"), default=list, blank=True
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("importada por"),
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    discarded_at = models.DateTimeField(_("descartada"), null=True, blank=True)
    # Empty for a preview discarded because it expired unconfirmed.
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("descartada por"),
    )

    objects = RequestListQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lista de solicitudes")
        verbose_name_plural = _("listas de solicitudes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.competitor} · {self.original_name}"

    def get_absolute_url(self):
        return reverse("terminations:list_detail", args=[self.pk])

    @staticmethod
    def preview_cutoff(now=None):
        """Return the creation time before which a preview is abandoned."""
        now = now or timezone.now()
        return now - timedelta(hours=settings.TERMINATION_LIST_PREVIEW_HOURS)

    @property
    def has_no_valid_rows(self) -> bool:
        """True when the preview rejected every row of the file, so confirming
        it could import nothing. False for a list not previewed (no report)."""
        if not self.report:
            return False
        return self.report.get("rejected", 0) >= self.report.get("rows", 0)

    @property
    def is_open_preview(self) -> bool:
        """True for a preview that may still be confirmed or discarded."""
        return (
            self.status == self.Status.PREVIEW
            and self.created_at >= self.preview_cutoff()
        )


class TerminationRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests `user` may see: every one for managers, the ones assigned to
        them for advisors, none for anybody else."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_manager:
            return self
        if user.is_advisor:
            return self.filter(advisor=user)
        return self.none()

    def open(self):
        """Requests still being worked: not duplicates, not rejected, withdrawn or
        effective."""
        return self.filter(
            status__in=TerminationRequest.OPEN_STATUSES, is_duplicate=False
        )

    def response_due_soon(self, today):
        """Requests waiting for a response (radicada or en verificación) whose
        response deadline has passed or falls within
        settings.DEADLINE_DUE_SOON_BUSINESS_DAYS business days of `today`:
        overdue or due soon for BusinessCalendar.deadline_status."""
        horizon = BusinessCalendar().add_business_days(
            today, settings.DEADLINE_DUE_SOON_BUSINESS_DAYS
        )
        return self.filter(
            status__in=(
                TerminationRequest.Status.FILED,
                TerminationRequest.Status.VERIFYING,
            ),
            response_due_on__lte=horizon,
        )

    def response_overdue(self, today):
        """Requests waiting for a response (radicada or en verificación) whose
        response deadline passed before `today`: overdue for
        BusinessCalendar.deadline_status."""
        return self.filter(
            status__in=(
                TerminationRequest.Status.FILED,
                TerminationRequest.Status.VERIFYING,
            ),
            response_due_on__lt=today,
        )

    def awaiting_verification(self):
        """Requests an advisor still has to verify: radicadas, and those whose
        latest verification found the subscriber not located, so they need
        another attempt."""
        latest_result = (
            Verification.objects.filter(request=models.OuterRef("pk"))
            .order_by("-recorded_at", "-pk")
            .values("result")[:1]
        )
        return self.alias(latest_result=models.Subquery(latest_result)).filter(
            Q(status=TerminationRequest.Status.FILED)
            | Q(
                status=TerminationRequest.Status.VERIFYING,
                latest_result=Verification.Result.NOT_LOCATED,
            )
        )

    def search(self, query: str):
        """Filter by codes and words. A number is looked for in the code the
        competitor wrote (account code or cadastral number) and in our account
        code, with or without dashes, and a long one also at the start of the
        account's cadastral number. Words are looked for in the subscriber's
        name, address and barrio, ignoring case and accents. Every word of the
        query must appear.

        A request with an account is searched in the account's words, which the
        list shows. A request without one is searched in the words the
        competitor wrote (`received_search_text`), because the list shows the
        name from the competitor's file.
        """
        queryset = self
        # Both search texts spell street words one way, and query_words
        # spells the query's alike. A street word matches whole words only
        # («calle» does not find «Claudia»), and a word that begins one
        # («carre») finds it or the text as typed.
        for word in query_words(fold(query)):
            digits = word.text.replace("-", "").replace(".", "")
            if word.is_street:
                condition = _street_word_condition(word.text)
            elif digits.isdigit():
                # A code, or a number of the address («23», «24-21»).
                condition = (
                    Q(account__account_code__contains=digits)
                    | Q(received_code__contains=digits)
                    | _text_condition(word.text)
                )
                if len(digits) > EXCEL_SIGNIFICANT_DIGITS:
                    # A whole cadastral number finds the request whose number
                    # Excel truncated to its first digits.
                    condition |= Q(
                        cadastral_number_truncated=True,
                        received_code=digits[:EXCEL_SIGNIFICANT_DIGITS],
                    )
                if len(digits) >= MIN_CADASTRAL_DIGITS:
                    # The start of the account's cadastral number, as registry
                    # search reads a long number.
                    condition |= Q(account__cadastral_number__startswith=digits)
            else:
                condition = _text_condition(word.text)
                if word.street:
                    condition |= _street_word_condition(word.street)
            queryset = queryset.filter(condition)
        return queryset


def _text_condition(text: str) -> Q:
    """Return the condition that the words of the request contain `text`."""
    return Q(account__search_text__contains=text) | Q(
        account__isnull=True, received_search_text__contains=text
    )


def _street_word_condition(short: str) -> Q:
    """Return the condition that the words of the request have the street word
    `short` as a whole word."""
    padded_account = Concat(
        Value(" "),
        F("account__search_text"),
        Value(" "),
        output_field=models.TextField(),
    )
    padded_received = Concat(
        Value(" "),
        F("received_search_text"),
        Value(" "),
        output_field=models.TextField(),
    )
    return Q(Contains(padded_account, f" {short} ")) | (
        Q(account__isnull=True) & Q(Contains(padded_received, f" {short} "))
    )


def received_search_text(received: dict) -> str:
    """Return the folded name, address and barrio of a row of a competitor's
    list (`TerminationRequest.received`), spelled as an account's search text
    is (`account_search_text`)."""
    return account_search_text(
        received.get("NOMBRE SUSCRIPTOR", ""),
        received.get("DIRECCIÓN", ""),
        received.get("BARRIO", ""),
    )


class TerminationRequest(models.Model):
    """A subscriber's request, filed through a competitor, to end their contract
    with us (terminación anticipada), as one row of a competitor's list."""

    class Status(models.TextChoices):
        FILED = "radicada", _("Radicada")
        VERIFYING = "en_verificacion", _("En verificación")
        ACCEPTED = "aceptada", _("Aceptada")
        REJECTED = "rechazada", _("Rechazada")
        WITHDRAWN = "desistida", _("Desistida")
        EFFECTIVE = "efectiva", _("Efectiva")

    class MatchMethod(models.TextChoices):
        ACCOUNT_CODE = "cuenta", _("Código de cuenta")
        CADASTRAL_NUMBER = "predial", _("Número predial")
        ID_AND_ADDRESS = "documento", _("Documento y dirección")
        MANUAL = "manual", _("Asignada a mano")
        NONE = "ninguno", _("Sin coincidencia")

    OPEN_STATUSES = (Status.FILED, Status.VERIFYING, Status.ACCEPTED)

    request_list = models.ForeignKey(
        RequestList,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("lista"),
    )
    competitor = models.ForeignKey(
        "subscribers.Competitor",
        on_delete=models.PROTECT,
        related_name="termination_requests",
        verbose_name=_("competidor"),
    )
    row_number = models.PositiveIntegerField(_("fila en el archivo"))
    filed_on = models.DateField(_("fecha de radicación"))
    received_code = models.CharField(
        _("código recibido"), max_length=40, blank=True, db_index=True
    )
    # Every cell of the row as the competitor wrote it, by Spanish column label.
    received = models.JSONField(_("datos recibidos"), default=dict)
    # The folded name, address and barrio of `received`, which the list's
    # search reads while the request has no account. save() and the import
    # fill it.
    received_search_text = models.TextField(editable=False, default="")

    account = models.ForeignKey(
        "subscribers.SubscriberAccount",
        on_delete=models.PROTECT,
        related_name="termination_requests",
        null=True,
        blank=True,
        verbose_name=_("cuenta"),
    )
    match_method = models.CharField(
        _("coincidencia por"), max_length=10, choices=MatchMethod
    )
    is_duplicate = models.BooleanField(_("repetida"), default=False)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="repeats",
        null=True,
        blank=True,
        verbose_name=_("repite la solicitud"),
    )
    cadastral_number_truncated = models.BooleanField(
        _("número predial truncado"),
        default=False,
        help_text=_(
            "Excel guardó el número predial como número y perdió dígitos; no se "
            "puede buscar."
        ),
    )
    already_unlinked = models.BooleanField(_("cuenta ya desvinculada"), default=False)
    claimed_by_other = models.BooleanField(
        _("reclamada por otro competidor"), default=False
    )

    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="termination_requests",
        null=True,
        blank=True,
        verbose_name=_("asesor"),
    )
    status = models.CharField(
        _("estado"), max_length=16, choices=Status, default=Status.FILED
    )
    response_due_on = models.DateField(_("plazo de respuesta"))
    effective_due_on = models.DateField(_("plazo para hacerla efectiva"))
    rejection_reason = models.TextField(_("motivo del rechazo"), blank=True)
    rejection_basis = models.TextField(_("fundamento del rechazo"), blank=True)
    unlinking_on = models.DateField(
        _("desvinculación programada"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    objects = TerminationRequestQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["received_search_text"])

    class Meta:
        verbose_name = _("solicitud de terminación")
        verbose_name_plural = _("solicitudes de terminación")
        ordering = ["response_due_on", "pk"]
        indexes = [
            models.Index(fields=["status", "response_due_on"]),
            models.Index(fields=["competitor", "account"]),
        ]

    def __str__(self):
        return f"{self.code_display} · {self.competitor} · {self.filed_on:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "received" in update_fields:
            self.received_search_text = received_search_text(self.received)
        if update_fields is not None and "received" in update_fields:
            kwargs["update_fields"] = {*update_fields, "received_search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("terminations:detail", args=[self.pk])

    @property
    def accepts_verification(self) -> bool:
        return self.is_open and self.status != self.Status.ACCEPTED

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES and not self.is_duplicate

    @property
    def code_display(self) -> str:
        """The account's code, or while there is none the code the competitor
        wrote, marked when it is a cadastral number Excel truncated."""
        if self.account_id:
            return self.account.account_code
        if self.cadastral_number_truncated:
            return _("%(digits)s… (truncado por Excel)") % {
                "digits": self.received_code
            }
        return self.received_code

    @property
    def subscriber_name(self) -> str:
        if self.account_id:
            return self.account.name
        return self.received.get("NOMBRE SUSCRIPTOR", "")

    @property
    def flag_labels(self) -> list[str]:
        labels = []
        if self.account_id is None:
            labels.append(_("Sin coincidencia"))
        if self.cadastral_number_truncated and self.account_id is None:
            labels.append(_("Predial truncado por Excel: asigne la cuenta a mano"))
        if self.is_duplicate:
            labels.append(_("Repetida"))
        if self.already_unlinked:
            labels.append(_("Ya desvinculada"))
        if self.claimed_by_other:
            labels.append(_("Reclamada por otro competidor"))
        return [str(label) for label in labels]


class Verification(models.Model):
    """The result of an advisor's check of a request with the subscriber."""

    class Result(models.TextChoices):
        CONFIRMED = "confirmada", _("Confirmada")
        NOT_AUTHENTIC = "no_autentica", _("No auténtica (el suscriptor no la pidió)")
        WITHDRAWS = "desiste", _("El suscriptor desiste")
        NOT_LOCATED = "no_localizado", _("No localizado")

    class EvidenceKind(models.TextChoices):
        CALL = "llamada", _("Llamada")
        VISIT = "visita", _("Visita")
        SIGNED_FORM = "formato", _("Formato firmado")

    # Evidence kinds that are documents, so a verification needs their file.
    DOCUMENT_EVIDENCE = (EvidenceKind.SIGNED_FORM,)

    request = models.ForeignKey(
        TerminationRequest,
        on_delete=models.CASCADE,
        related_name="verifications",
        verbose_name=_("solicitud"),
    )
    result = models.CharField(_("resultado"), max_length=14, choices=Result)
    evidence_kind = models.CharField(
        _("tipo de soporte"), max_length=8, choices=EvidenceKind
    )
    evidence_file = models.FileField(
        _("archivo de soporte"), upload_to=evidence_path, max_length=200, blank=True
    )
    notes = models.TextField(_("observaciones"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrada por"),
    )
    recorded_at = models.DateTimeField(_("registrada"), auto_now_add=True)
    # The random token of the form that created it, so the same form sent twice
    # (a double click, a resubmission after «Atrás») records it once.
    submission_token = models.UUIDField(
        _("envío del formulario"), null=True, blank=True, unique=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verificación")
        verbose_name_plural = _("verificaciones")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return f"{self.get_result_display()} · {self.request}"

    @property
    def needs_desistimiento(self) -> bool:
        return self.result in (self.Result.NOT_AUTHENTIC, self.Result.WITHDRAWS)


class DeliveryBatch(models.Model):
    """One delivery of signed desistimientos to a competitor (physical and
    electronic copies) with its record (acta)."""

    competitor = models.ForeignKey(
        "subscribers.Competitor",
        on_delete=models.PROTECT,
        related_name="delivery_batches",
        verbose_name=_("competidor"),
    )
    delivered_on = models.DateField(_("fecha de entrega"))
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entregó"),
    )
    received_by = models.CharField(_("recibió"), max_length=150)
    desistimiento_count = models.PositiveIntegerField(_("desistimientos"), default=0)
    workbook = models.FileField(
        _("libro"), upload_to="terminaciones/entregas/", blank=True
    )
    bundle = models.FileField(
        _("PDF de desistimientos"), upload_to="terminaciones/entregas/", blank=True
    )
    record = models.FileField(
        _("acta de entrega"), upload_to="terminaciones/entregas/", blank=True
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entrega al competidor")
        verbose_name_plural = _("entregas al competidor")
        ordering = ["-delivered_on", "-pk"]

    def __str__(self):
        return f"{self.competitor} · {self.delivered_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("terminations:delivery_detail", args=[self.pk])


class Desistimiento(models.Model):
    """The numbered withdrawal form (formato de desistimiento) a subscriber signs
    when they did not ask to leave or change their mind."""

    request = models.OneToOneField(
        TerminationRequest,
        on_delete=models.PROTECT,
        related_name="desistimiento",
        verbose_name=_("solicitud"),
    )
    code = models.CharField(_("consecutivo"), max_length=30, unique=True)
    year = models.PositiveSmallIntegerField(_("año"))
    number = models.PositiveIntegerField(_("número"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("generado por"),
    )
    issued_at = models.DateTimeField(_("generado"), auto_now_add=True)
    signed_file = models.FileField(
        _("formato firmado"), upload_to=signed_form_path, max_length=200, blank=True
    )
    signed_content_type = models.CharField(
        _("tipo de archivo"), max_length=40, blank=True
    )
    signed_uploaded_at = models.DateTimeField(
        _("firmado cargado"), null=True, blank=True
    )
    signed_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("cargado por"),
    )
    delivery = models.ForeignKey(
        DeliveryBatch,
        on_delete=models.PROTECT,
        related_name="desistimientos",
        null=True,
        blank=True,
        verbose_name=_("entrega"),
    )
    # An annulled form keeps its number but is never signed nor delivered.
    annulled_at = models.DateTimeField(_("anulado"), null=True, blank=True)
    annulment_reason = models.TextField(_("motivo de la anulación"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("desistimiento")
        verbose_name_plural = _("desistimientos")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"], name="desistimiento_unique_number"
            )
        ]

    def __str__(self):
        return self.code

    @property
    def is_signed(self) -> bool:
        return bool(self.signed_file)


class ReconciliationMeeting(models.Model):
    """A meeting with a competitor where both sides exchange documents and agree,
    account by account, who stays and who leaves."""

    class Frequency(models.TextChoices):
        MONTHLY = "mensual", _("Mensual")
        DAILY = "diaria", _("Diaria")

    competitor = models.ForeignKey(
        "subscribers.Competitor",
        on_delete=models.PROTECT,
        related_name="reconciliation_meetings",
        verbose_name=_("competidor"),
    )
    held_on = models.DateField(_("fecha"))
    frequency = models.CharField(
        _("periodicidad"), max_length=8, choices=Frequency, default=Frequency.MONTHLY
    )
    attendees = models.TextField(_("asistentes"), help_text=_("Uno por línea."))
    documents_delivered = models.TextField(_("documentos entregados"), blank=True)
    documents_received = models.TextField(_("documentos recibidos"), blank=True)
    minutes = models.FileField(
        _("acta"), upload_to="terminaciones/conciliaciones/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrada por"),
    )
    created_at = models.DateTimeField(_("registrada"), auto_now_add=True)
    # As Verification.submission_token: one meeting per form sent.
    submission_token = models.UUIDField(
        _("envío del formulario"), null=True, blank=True, unique=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reunión de conciliación")
        verbose_name_plural = _("reuniones de conciliación")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.competitor} · {self.held_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("terminations:meeting_detail", args=[self.pk])


class ReconciliationAgreement(models.Model):
    """The outcome a reconciliation meeting agreed for one account."""

    class Outcome(models.TextChoices):
        RETAINED = "retenido", _("Retenido (se queda)")
        LEAVES = "se_va", _("Se desvincula")
        DISPUTED = "en_disputa", _("En disputa")
        LINKED = "vinculado", _("Vinculado (nuevo)")

    meeting = models.ForeignKey(
        ReconciliationMeeting,
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("reunión"),
    )
    account = models.ForeignKey(
        "subscribers.SubscriberAccount",
        on_delete=models.PROTECT,
        related_name="reconciliation_agreements",
        verbose_name=_("cuenta"),
    )
    request = models.ForeignKey(
        TerminationRequest,
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
        verbose_name=_("solicitud"),
    )
    outcome = models.CharField(_("acuerdo"), max_length=10, choices=Outcome)
    notes = models.TextField(_("observaciones"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acuerdo de conciliación")
        verbose_name_plural = _("acuerdos de conciliación")
        ordering = ["meeting", "account"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "account"], name="agreement_unique_account"
            )
        ]

    def __str__(self):
        return f"{self.account} · {self.get_outcome_display()}"


def novelty_file_path(instance, filename: str) -> str:
    return f"terminaciones/novedades/{filename}"


class NoveltyBatch(models.Model):
    """One report of novedades marked as sent to the joint-billing company: the
    novelties it carries, the day they are reported as of, who marked it and
    the XLSX and CSV files exactly as they were downloaded."""

    report_on = models.DateField(_("novedades al"))
    applies_from = models.DateField(_("aplicar en facturación desde"))
    novelty_count = models.PositiveIntegerField(_("novedades"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("marcado por"),
    )
    marked_at = models.DateTimeField(_("marcado"), auto_now_add=True)
    workbook = models.FileField(
        _("libro (XLSX)"), upload_to=novelty_file_path, max_length=200
    )
    csv_file = models.FileField(_("CSV"), upload_to=novelty_file_path, max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lote de novedades reportadas")
        verbose_name_plural = _("lotes de novedades reportadas")
        ordering = ["-marked_at", "-pk"]

    def __str__(self):
        return f"{self.pk} · {self.report_on:%d/%m/%Y}"


class RegistryNovelty(models.Model):
    """A linking or unlinking (novedad) to report to the joint-billing company."""

    class Kind(models.TextChoices):
        LINKED = "vinculacion", _("Vinculación")
        UNLINKED = "desvinculacion", _("Desvinculación")

    account = models.ForeignKey(
        "subscribers.SubscriberAccount",
        on_delete=models.PROTECT,
        related_name="novelties",
        verbose_name=_("cuenta"),
    )
    kind = models.CharField(_("novedad"), max_length=14, choices=Kind)
    effective_on = models.DateField(_("fecha efectiva"))
    agreement = models.ForeignKey(
        ReconciliationAgreement,
        on_delete=models.PROTECT,
        related_name="novelties",
        null=True,
        blank=True,
        verbose_name=_("acuerdo"),
    )
    request = models.ForeignKey(
        TerminationRequest,
        on_delete=models.PROTECT,
        related_name="novelties",
        null=True,
        blank=True,
        verbose_name=_("solicitud"),
    )
    reported_on = models.DateField(_("reportada el"), null=True, blank=True)
    # The report that carried it; reported_on is that report's date.
    batch = models.ForeignKey(
        NoveltyBatch,
        on_delete=models.PROTECT,
        related_name="novelties",
        null=True,
        blank=True,
        verbose_name=_("lote"),
    )
    created_at = models.DateTimeField(_("registrada"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("novedad de catastro")
        verbose_name_plural = _("novedades de catastro")
        ordering = ["effective_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "effective_on"],
                name="novelty_unique_account_kind_day",
            )
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display()} · {self.account} · {self.effective_on:%d/%m/%Y}"
        )
