"""Zone lookup: the commercial zone covering a registry account, from its
municipality and barrio."""

from functools import lru_cache

from core.text import fold
from zones.models import Zone


class ZoneResolver:
    """Lookup of the active zone covering an account. A zone that lists barrios
    covers only those barrios, inside its municipalities when it names any. A zone
    with no barrio list covers its whole municipalities. A barrio match wins over a
    municipality match, and among equals the zone first by name wins."""

    def __init__(self):
        self.by_barrio: dict[tuple[str | None, str], int] = {}
        self.by_municipality: dict[str, int] = {}
        zones = Zone.objects.filter(is_active=True).prefetch_related("municipalities")
        for zone in zones.order_by("name"):
            codes = [
                municipality.dane_code for municipality in zone.municipalities.all()
            ]
            barrios = [fold(barrio) for barrio in zone.barrio_list]
            if barrios:
                for barrio in barrios:
                    for code in codes or [None]:
                        self.by_barrio.setdefault((code, barrio), zone.pk)
            else:
                for code in codes:
                    self.by_municipality.setdefault(code, zone.pk)

    def zone_for(self, municipality_code: str, barrio: str) -> int | None:
        """Return the primary key of the zone covering the account, or None."""
        folded = _fold_barrio(barrio) if barrio else ""
        if folded:
            zone_id = self.by_barrio.get((municipality_code, folded))
            if zone_id is None:
                zone_id = self.by_barrio.get((None, folded))
            if zone_id is not None:
                return zone_id
        return self.by_municipality.get(municipality_code)


# Barrios repeat on thousands of accounts: fold each once.
_fold_barrio = lru_cache(maxsize=4096)(fold)
