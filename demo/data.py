"""Word lists for the demo data: invented people, businesses and places that read like
the customers of an aseo company in the Alto Magdalena and Sumapaz region.

Municipalities are real (DANE codes); every person, business, NIT, address, phone and
e-mail built from these lists is invented.
"""

from accounts.roles import Role

DEMO_PASSWORD = "demo-sumapaz-2026"

# username, role, first names, last names
STAFF = [
    ("administrador", Role.ADMINISTRATOR, "Sergio Andrés", "Díaz Cárdenas"),
    ("director", Role.DIRECTOR, "Diana Marcela", "Rojas Pardo"),
    ("coordinadora", Role.COORDINATOR, "Carla Patricia", "Mejía Ortiz"),
    ("asesor1", Role.ADVISOR, "Andrés Felipe", "Gómez Rincón"),
    ("asesor2", Role.ADVISOR, "Beatriz Elena", "López Vargas"),
    ("asesor3", Role.ADVISOR, "Camilo Ernesto", "Vanegas Lozano"),
    ("asesor4", Role.ADVISOR, "Luisa Fernanda", "Cruz Bermúdez"),
    ("facturacion", Role.BILLING, "Martha Lucía", "Guzmán Prada"),
    ("operaciones", Role.OPERATIONS, "Jorge Enrique", "Rubio Castaño"),
    ("operaciones2", Role.OPERATIONS, "Wilson Hernán", "Tovar Guzmán"),
    ("logistica", Role.LOGISTICS, "Yeison Alberto", "Murillo Peña"),
]

MELGAR = "73449"
CARMEN_DE_APICALA = "73148"
FLANDES = "73275"
ESPINAL = "73268"
ICONONZO = "73352"
CUNDAY = "73226"
SUAREZ = "73770"
GIRARDOT = "25307"
RICAURTE = "25612"
NILO = "25488"

# name, description, DANE codes, advisors (usernames), share of the customers
ZONES = [
    (
        "URBANA",
        "Cascos urbanos de Melgar, Girardot, Flandes, Espinal y Carmen de Apicalá.",
        [MELGAR, GIRARDOT, FLANDES, ESPINAL, CARMEN_DE_APICALA],
        ["asesor1", "asesor2"],
        0.47,
    ),
    (
        "RURAL",
        "Veredas y centros poblados de Icononzo, Cunday, Carmen de Apicalá, Melgar "
        "y Suárez.",
        [ICONONZO, CUNDAY, CARMEN_DE_APICALA, MELGAR, SUAREZ],
        ["asesor3", "asesor4"],
        0.23,
    ),
    (
        "CORREDOR VIAL",
        "Establecimientos sobre las vías Bogotá - Melgar - Girardot y Flandes - "
        "Espinal.",
        [MELGAR, FLANDES, GIRARDOT, RICAURTE, NILO],
        ["asesor1", "asesor2", "asesor3", "asesor4"],
        0.25,
    ),
]

BARRIOS = {
    MELGAR: ["Centro", "El Sosiego", "Ciudad Luz", "La Florida", "San José", "Gaitán"],
    GIRARDOT: ["Centro", "Granada", "Kennedy", "Alto de la Cruz", "Sucre", "Gaitán"],
    FLANDES: ["Centro", "El Prado", "La Esperanza", "San Jorge", "Villa Esperanza"],
    ESPINAL: ["Centro", "La Caimanera", "Arkabal", "El Rosario", "San Rafael"],
    CARMEN_DE_APICALA: ["Centro", "La Esmeralda", "Las Palmas", "El Bosque"],
    ICONONZO: ["Centro", "San José"],
    CUNDAY: ["Centro", "La Colina"],
    SUAREZ: ["Centro"],
    RICAURTE: ["Centro", "Peñalisa"],
    NILO: ["Centro", "Pueblo Nuevo"],
}

VEREDAS = [
    "Potrerillo",
    "San Pablo",
    "La Reforma",
    "Chimbí",
    "Buenavista",
    "El Salero",
    "Los Guayacanes",
    "Guacamayas",
    "Balconcitos",
    "Bolívar",
    "La Arcadia",
]

ROADS = [
    "Vía Bogotá - Melgar",
    "Vía Melgar - Girardot",
    "Vía Flandes - Espinal",
    "Vía Girardot - Nariño",
    "Vía Melgar - Carmen de Apicalá",
    "Vía Girardot - Ricaurte",
]

FIRST_NAMES_WOMEN = [
    "María",
    "Luz Marina",
    "Ana Milena",
    "Sandra Patricia",
    "Claudia",
    "Yolanda",
    "Diana Carolina",
    "Paola Andrea",
    "Gloria Inés",
    "Marina",
    "Alexandra",
    "Lina María",
    "Nelly",
    "Adriana",
    "Carolina",
    "Julia",
]
FIRST_NAMES_MEN = [
    "José Luis",
    "Carlos Alberto",
    "Juan Pablo",
    "Luis Eduardo",
    "Óscar",
    "Jaime",
    "Hernán",
    "Fabián",
    "Germán",
    "Elkin",
    "Wilson",
    "Édgar",
    "Nelson",
    "Ricardo",
    "Jhon Fredy",
    "Álvaro",
]
SURNAMES = [
    "García",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "Ramírez",
    "Gutiérrez",
    "Sánchez",
    "Páez",
    "Acosta",
    "Mendoza",
    "Salazar",
    "Quintero",
    "Barragán",
    "Leal",
    "Marín",
    "Daza",
    "Ortega",
    "Garzón",
    "Bocanegra",
    "Oviedo",
    "Cárdenas",
    "Tovar",
    "Vanegas",
    "Castellanos",
]

CONTACT_ROLES = [
    "Administradora",
    "Administrador",
    "Gerente",
    "Jefe de compras",
    "Contadora",
    "Coordinador de mantenimiento",
    "Propietario",
    "Rectora",
]

# Business kinds: name patterns, e-mail mailbox, contact role, last-service amounts.
PLACE_WORDS = [
    "Los Almendros",
    "El Guadual",
    "La Tambora",
    "Villa del Sol",
    "Portal Real",
    "Reserva Tropical",
    "Los Cámbulos",
    "Las Acacias",
    "El Peñón",
    "Sumapaz",
    "La Herradura",
    "Río Sumapaz",
    "Brisas del Magdalena",
    "Altos del Río",
    "Los Ocobos",
    "El Mirador",
    "Las Palmeras",
    "San Jorge",
    "Santa Bárbara",
    "La Colina",
    "Tierra Caliente",
    "Aguas Claras",
    "Bosques del Bolo",
    "El Edén",
]

BUSINESS_KINDS = [
    ("Hotel {place}", "reservas", 0.14),
    ("Condominio Campestre {place} P.H.", "administracion", 0.12),
    ("Conjunto Residencial {place} P.H.", "administracion", 0.10),
    ("Restaurante {place}", "contabilidad", 0.10),
    ("Asadero y Parrilla {place}", "pedidos", 0.05),
    ("Colegio {place}", "rectoria", 0.05),
    ("Clínica Odontológica {place} S.A.S.", "gerencia", 0.04),
    ("IPS {place} S.A.S.", "compras", 0.04),
    ("Centro Recreacional {place}", "eventos", 0.05),
    ("Inversiones {surname} {surname2} S.A.S.", "contabilidad", 0.07),
    ("Distribuidora {place} Ltda.", "compras", 0.05),
    ("Constructora {place} S.A.S.", "obras", 0.05),
    ("Droguería {place}", "gerencia", 0.04),
]
# The rest of the customers are natural persons (shops, farms, home owners).
NATURAL_PERSON_SHARE = 0.20

EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]
MOBILE_PREFIXES = ["300", "301", "310", "311", "312", "313", "314", "315", "316"]
MOBILE_PREFIXES += ["317", "318", "319", "320", "321", "322", "323", "350", "351"]

CONSENT_PURPOSES = [
    "Ofrecimiento comercial de servicios especiales de aseo.",
    "Ofrecimiento comercial, cotizaciones y encuestas de satisfacción.",
    "Envío de cotizaciones y seguimiento de servicios contratados.",
]
POLICY_VERSIONS = ["2024-01", "2025-03"]
