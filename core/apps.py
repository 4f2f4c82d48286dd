from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Núcleo"

    def ready(self):
        _file_messages_in_colombian_spanish()


def _file_messages_in_colombian_spanish() -> None:
    """Replace Django's file-field messages, whose Spanish translation uses
    "fichero" (Spain), with the "archivo" staff in Colombia read."""
    from django import forms

    forms.FileField.default_error_messages.update(
        {
            "invalid": _(
                "No se recibió ningún archivo. Revise el tipo de codificación del "
                "formulario."
            ),
            "missing": _("No se recibió ningún archivo."),
            "empty": _(
                "El archivo enviado está vacío. Elija un archivo con contenido."
            ),
            "contradiction": _(
                "Envíe un archivo o marque la casilla para quitarlo, pero no ambas cosas."
            ),
        }
    )
    forms.ImageField.default_error_messages.update(
        {
            "invalid_image": _(
                "El archivo enviado no es una imagen o está dañado. Envíe una imagen "
                "PNG o JPEG válida."
            ),
        }
    )
