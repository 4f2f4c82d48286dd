"""Reading CSV and XLSX shapes and finding the header row."""

import openpyxl
import pytest

from core.imports import Column, ImportFileError, decoding
from core.imports.reading import looks_like_text, open_table

COLUMNS = [
    Column("code", "Código", aliases=("Cod",), required=True),
    Column("name", "Nombre", aliases=("Razón social",), required=True),
    Column("amount", "Valor"),
]


def write_csv(tmp_path, text: str, encoding="utf-8", name="datos.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows_of(table):
    return [(row.number, list(row.cells)) for row in table.rows()]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"),
    [
        ("cp1252", ";", "\r\n"),
        ("utf-8", ",", "\n"),
        ("utf-8-sig", "\t", "\r\n"),
        ("utf-8-sig", ";", "\n"),
    ],
)
def test_csv_shapes_read_alike(tmp_path, encoding, delimiter, newline):
    lines = [["CÓDIGO", "Razón social", "VALOR"], ["1", "Peñalisa", "$ 1.000"]]
    text = newline.join(delimiter.join(cells) for cells in lines) + newline
    table = open_table(write_csv(tmp_path, text, encoding), COLUMNS)
    assert rows_of(table) == [(2, ["1", "Peñalisa", "$ 1.000"])]


def test_csv_header_found_below_title_rows(tmp_path):
    text = "Listado de clientes;;\n;;\nCódigo;Nombre;Valor\n7;Ana;5\n"
    table = open_table(write_csv(tmp_path, text), COLUMNS)
    assert table.header_row == 3
    assert rows_of(table) == [(4, ["7", "Ana", "5"])]


def test_csv_cell_with_line_break_counts_as_one_row(tmp_path):
    text = 'Código;Nombre\r\n1;"Ana\r\nGerente"\r\n2;"Parrilla ""La 10"""\r\n'
    table = open_table(write_csv(tmp_path, text), COLUMNS)
    assert rows_of(table) == [
        (2, ["1", "Ana\r\nGerente"]),
        (3, ["2", 'Parrilla "La 10"']),
    ]


def test_blank_and_footer_rows_are_recognised(tmp_path):
    text = "Código;Nombre\n1;Ana\n;\nTOTAL;1\nElaboró: Diana;\n"
    rows = list(open_table(write_csv(tmp_path, text), COLUMNS).rows())
    assert [row.is_blank() or row.is_footer() for row in rows] == [
        False,
        True,
        True,
        True,
    ]


def test_missing_required_column_names_it_and_lists_headers(tmp_path):
    text = "Código;Dirección\n1;Calle 1\n"
    with pytest.raises(ImportFileError) as error:
        open_table(write_csv(tmp_path, text), COLUMNS)
    assert "«Nombre»" in error.value.message
    assert "«Dirección»" in error.value.message


def test_file_without_any_header_is_rejected(tmp_path):
    with pytest.raises(ImportFileError) as error:
        open_table(write_csv(tmp_path, "a;b\n1;2\n"), COLUMNS)
    assert "encabezados" in error.value.message


def test_header_prefix_matches_longer_title(tmp_path):
    text = "Código;Nombre;VALOR UNITARIO (COP)\n1;Ana;5\n"
    table = open_table(write_csv(tmp_path, text), COLUMNS)
    assert table.header.positions["amount"] == 2


def test_xlsx_header_below_title_rows(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Empresa de aseo - listado"
    sheet.append([])
    sheet.append(["CÓDIGO", "NOMBRE", "VALOR"])
    sheet.append([101, "Ana", 82000])
    sheet.append([])
    sheet.append(["Elaboró: Diana"])
    path = tmp_path / "datos.xlsx"
    workbook.save(path)

    table = open_table(path, COLUMNS)
    rows = [row for row in table.rows() if not (row.is_blank() or row.is_footer())]
    assert table.header_row == 3
    assert [(row.number, list(row.cells)) for row in rows] == [(4, [101, "Ana", 82000])]


def test_xlsx_two_level_merged_header(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Relación de solicitudes"
    sheet.merge_cells("A1:E1")
    sheet["A3"] = "No."
    sheet["B3"] = "DATOS DEL SUSCRIPTOR"
    sheet["E3"] = "VALOR"
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:D3")
    sheet.merge_cells("E3:E4")
    sheet["B4"] = "CÓDIGO"
    sheet["C4"] = "NOMBRE"
    sheet["D4"] = "BARRIO"
    sheet.append([1, "449001234", "Ana", "Centro", 5])
    path = tmp_path / "competidor.xlsx"
    workbook.save(path)

    table = open_table(path, [*COLUMNS, Column("number", "No.")])
    assert table.header.positions == {"code": 1, "name": 2, "amount": 4, "number": 0}
    assert [row.number for row in table.rows()] == [5]


def test_xlsx_that_is_not_a_workbook_is_rejected(tmp_path):
    path = tmp_path / "roto.xlsx"
    path.write_bytes(b"PK\x03\x04not really a zip")
    with pytest.raises(ImportFileError):
        open_table(path, COLUMNS)


def damaged_copy(tmp_path, member: str, damage):
    """Write a small valid workbook, then rewrite one ZIP member through `damage`."""
    import zipfile

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Código", "Nombre", "Valor"])
    for number in range(1, 400):
        sheet.append([f"C{number:04d}", f"Cliente número {number}", number])
    source = tmp_path / "bueno.xlsx"
    workbook.save(source)
    target = tmp_path / "danado.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == member:
                content = damage(content)
            new.writestr(item.filename, content)
    return target


def read_all(path):
    table = open_table(path, COLUMNS)
    return list(table.rows())


@pytest.mark.parametrize(
    ("member", "damage"),
    [
        ("xl/workbook.xml", lambda content: b"<workbook"),
        ("xl/worksheets/sheet1.xml", lambda content: content[: len(content) // 2]),
        ("[Content_Types].xml", lambda content: b""),
    ],
)
def test_damaged_xlsx_raises_import_error(tmp_path, member, damage):
    path = damaged_copy(tmp_path, member, damage)
    with pytest.raises(ImportFileError) as raised:
        read_all(path)
    assert "dañado o incompleto" in raised.value.message


def test_truncated_xlsx_message_has_no_raw_error(tmp_path):
    path = damaged_copy(tmp_path, "", lambda content: content)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(ImportFileError) as raised:
        read_all(path)
    assert "zip" not in raised.value.message.lower()
    assert "Libro de Excel (.xlsx)" in raised.value.message


def test_csv_bad_bytes_name_the_row(tmp_path):
    path = tmp_path / "datos.csv"
    # 0x81 is undefined in cp1252, the encoding chosen for non-UTF-8 text.
    path.write_bytes(b"Codigo;Nombre\r\nC1;Ana\r\nC2;Lu\xe1\r\nC3;P\x81\r\n")
    with pytest.raises(ImportFileError) as raised:
        read_all(path)
    assert raised.value.message.startswith(
        "La fila 4 del archivo CSV, columna «Nombre», tiene un carácter que no es "
        "texto válido (el byte 0x81, después de «P»)."
    )
    assert "codec" not in raised.value.message


def test_csv_bad_byte_far_down_names_its_row(tmp_path):
    # Quoted cells with line breaks count as one row each, as Excel shows them,
    # and the byte lies blocks past where the reader's text layer fails.
    rows = b"".join(b'C%d;"Calle %d\r\nBarrio";1\r\n' % (n, n) for n in range(2, 35001))
    path = tmp_path / "datos.csv"
    path.write_bytes(
        b"Codigo;Nombre;Valor\r\n" + rows + b'C35001;"Calle 9\r\nBarrio \x9d";1\r\n'
    )
    with pytest.raises(ImportFileError) as raised:
        read_all(path)
    assert raised.value.message.startswith(
        "La fila 35001 del archivo CSV, columna «Nombre», tiene un carácter que no "
        "es texto válido (el byte 0x9D, después de «Calle 9 Barrio»)."
    )


def test_bad_byte_column_follows_delimiter(tmp_path):
    path = tmp_path / "datos.csv"
    path.write_bytes(b"Codigo,Nombre,Valor\nC1,Ana,1\nC2,Luz,\x8f3\n")
    with pytest.raises(ImportFileError) as raised:
        read_all(path)
    assert raised.value.message.startswith(
        "La fila 3 del archivo CSV, columna «Valor», tiene un carácter que no es "
        "texto válido (el byte 0x8F, al comienzo de la celda)."
    )


def test_csv_bad_byte_in_header_names_column_number(tmp_path):
    path = tmp_path / "datos.csv"
    path.write_bytes(b"Codigo;Nom\x81bre\nC1;Ana\n")
    with pytest.raises(ImportFileError) as raised:
        read_all(path)
    assert raised.value.message.startswith(
        "La fila 1 del archivo CSV, columna 2, tiene un carácter que no es texto "
        "válido (el byte 0x81, después de «Nom»)."
    )


def test_utf8_bad_sequence_names_the_row(tmp_path):
    rows = "".join(f"C{n};Niño {n}\n" for n in range(2, 5000)).encode()
    path = tmp_path / "datos.csv"
    # With a BOM the file is read as UTF-8, where a lone 0xF1 is invalid.
    path.write_bytes(b"\xef\xbb\xbfCodigo;Nombre\n" + rows + b"C5000;Ni\xf1a\n")
    with pytest.raises(ImportFileError) as raised:
        read_all(path)
    assert raised.value.message.startswith(
        "La fila 5000 del archivo CSV, columna «Nombre», tiene un carácter que no "
        "es texto válido (el byte 0xF1, después de «Ni»)."
    )


def test_utf8_bad_byte_without_bom(tmp_path):
    """Read as cp1252, every «ñ» of this file would become «Ã±» without an error."""
    rows = "".join(f"C{n};Niño {n}\n" for n in range(2, 300)).encode()
    path = tmp_path / "datos.csv"
    path.write_bytes(b"Codigo;Nombre\n" + rows + b"C300;Ni\xf1a\n")
    with pytest.raises(ImportFileError) as raised:
        read_all(path)
    assert raised.value.message.startswith(
        "La fila 300 del archivo CSV, columna «Nombre», tiene un carácter que no "
        "es texto válido (el byte 0xF1, después de «Ni»)."
    )


def test_cp1252_with_utf8_like_pair_stays_cp1252(tmp_path):
    # «Ã©» in cp1252 is also the UTF-8 encoding of «é»; the other letters are
    # plain cp1252, so the file is still read as cp1252.
    text = "Codigo;Nombre\nC1;Peña\nC2;Gómez\nC3;Ã©\n"
    table = open_table(write_csv(tmp_path, text, encoding="cp1252"), COLUMNS)
    rows = rows_of(table)
    assert rows[0] == (2, ["C1", "Peña"])
    assert rows[2] == (4, ["C3", "Ã©"])


def test_bad_byte_advice_same_anywhere(tmp_path):
    near = tmp_path / "cerca.csv"
    near.write_bytes(b"Codigo;Nombre\nC1;\x81\n")
    far = tmp_path / "lejos.csv"
    far.write_bytes(b"Codigo;Nombre\n" + b"C;Ana\n" * 20000 + b"C1;\x81\n")
    messages = []
    for path in (near, far):
        with pytest.raises(ImportFileError) as raised:
            read_all(path)
        messages.append(raised.value.message.split("). ", 1)[1])
    assert messages[0] == messages[1]


def test_undecodable_offset_counts_character_cut_by_block(tmp_path, monkeypatch):
    monkeypatch.setattr(decoding, "_BLOCK_SIZE", 4)
    path = tmp_path / "datos.csv"
    # "ñ" (0xC3 0xB1) is cut by the first block's end; 0xFF is at offset 6.
    path.write_bytes(b"abc\xc3\xb1d\xffe")
    assert decoding._undecodable_offset(path, "utf-8") == (6, b"\xff")


def test_looks_like_text_takes_text_with_undecodable_byte():
    assert looks_like_text(b"Codigo;Nombre\r\nC1;P\x81rez\r\n")


def test_looks_like_text_rejects_binary_without_nul():
    assert not looks_like_text(b"\x89PNG\r\n\x1a\n\x81\x9d\x05binary")


def test_csv_cell_too_long_names_the_row(tmp_path):
    path = tmp_path / "datos.csv"
    long_cell = "x" * (2 * 1024 * 1024)
    path.write_text(
        f"Codigo;Nombre\nC1;Ana\nC2;{long_cell}\nC3;Luz\n", encoding="utf-8"
    )

    with pytest.raises(ImportFileError) as raised:
        read_all(path)

    message = raised.value.message
    assert message.startswith("La fila 3 del archivo CSV tiene una celda de más de")
    assert "1.048.576 caracteres" in message
    assert "comillas que un CSV no admite" not in message
