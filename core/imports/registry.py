"""The importers the web pages offer, found in each app's `importer` module."""

from django.utils.module_loading import autodiscover_modules

from core.imports.engine import Importer

_importers: dict[str, type[Importer]] = {}
_discovered = False


def register(importer: type[Importer]) -> type[Importer]:
    """Class decorator that makes an importer available under its `kind`."""
    if not importer.kind:
        raise ValueError(f"{importer.__name__} has no kind")
    _importers[importer.kind] = importer
    return importer


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("importer")
        _discovered = True


def get_importer(kind: str) -> type[Importer]:
    """Return the importer registered under `kind`; raises KeyError when unknown."""
    _discover()
    return _importers[kind]


def all_importers() -> list[type[Importer]]:
    _discover()
    return sorted(_importers.values(), key=lambda importer: importer.title)
