"""Model fields shared by the apps."""

from django.db import models


class SortKeyField(models.TextField):
    """A key made by core.text.sort_key, compared byte by byte.

    SQLite compares text byte by byte by default. PostgreSQL
    compares by the database's collation, which may ignore spaces and marks
    (en_US.UTF-8) or differ between servers, so the column takes the "C"
    collation there. The other backends keep their default.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters
