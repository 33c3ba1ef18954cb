from __future__ import annotations

import csv
import io

import pytest
from django_scopes import scope

from coachos.clients import csv_io
from coachos.clients.models import Client, Tag

from ..factories import ClientFactory, member

HEADER = "first_name,last_name,email,phone,status,birthday,tags\n"
MIXED = HEADER + (
    "Ana,Diaz,ana@example.com,(312) 555-0123,active,1990-04-27,VIP;Morning\n"
    ",NoFirst,nofirst@example.com,,,,\n"
    "Ben,Bad,not-an-email,,,,\n"
    "Cy,Dup,ana@example.com,,,,\n"
    "Dee,Phone,dee@example.com,555-01,,,\n"
    "Eve,Status,eve@example.com,,gone,,\n"
    "Fay,Date,fay@example.com,,,27/04/1990,\n"
    "Gus,Existing,existing@example.com,,,,\n"
    "Hal,Ok,hal@example.com,+442079460958,lead,,\n"
)


def rows(text: str) -> list[dict[str, str]]:
    return csv_io.parse(text.encode("utf-8"))


def test_report_lists_every_problem_and_imports_nothing(org, owner):
    with scope(organization=org):
        ClientFactory(organization=org, email="Existing@example.com")
        report = csv_io.clients_import(organization=org, actor=owner, rows=rows(MIXED))
        assert report.imported == 0
        assert Client.objects.count() == 1 and Tag.objects.count() == 0
        bad = {r.number: " ".join(r.errors) for r in report.invalid}
        assert sorted(bad) == [3, 4, 5, 6, 7, 8, 9]
        assert "First name" in bad[3] and "not an email" in bad[4] and "row 2" in bad[5]
        assert "not a valid phone number" in bad[6] and "Status" in bad[7] and "Birthday" in bad[8] and "already exists" in bad[9]
        assert [r.number for r in report.valid] == [2, 10]


def test_skip_invalid_imports_only_the_valid_rows(org, owner):
    with scope(organization=org):
        ClientFactory(organization=org, email="existing@example.com")
        report = csv_io.clients_import(organization=org, actor=owner, rows=rows(MIXED), skip_invalid=True)
        assert report.imported == 2
        ana = Client.objects.get(email="ana@example.com")
        assert ana.phone == "+13125550123" and str(ana.birthday) == "1990-04-27"
        assert sorted(t.name for t in ana.tags.all()) == ["Morning", "VIP"]
        assert Client.objects.get(email="hal@example.com").status == "lead"
        assert Client.objects.count() == 3


def test_bom_and_bad_files():
    assert csv_io.parse(("\ufeff" + HEADER + "Ana,,,,,,\n").encode())[0]["first_name"] == "Ana"
    with pytest.raises(csv_io.CsvError):
        csv_io.parse("first_name\nAn\xe9\n".encode("latin-1"))
    with pytest.raises(csv_io.CsvError):
        csv_io.parse(b"name,email\nAna,a@example.com\n")
    with pytest.raises(csv_io.CsvError):
        csv_io.parse(b"x" * (csv_io.MAX_BYTES + 1))


def test_export_guards_formulas_and_round_trips(org, other_org, owner, web):
    with scope(organization=org):
        ClientFactory(organization=org, first_name="=HYPERLINK(\"x\")", last_name="-Minus", email="a@example.com",
                      phone="+13125550123", sms_consent=True)
        tagged = ClientFactory(organization=org, first_name="Bo", email="bo@example.com", phone="")
        from coachos.clients import services
        services.client_tag(client=tagged, actor=owner, name="VIP")
    response = web.get(f"/o/{org.slug}/clients/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    assert table[0] == list(csv_io.COLUMNS)
    first = next(dict(zip(table[0], row, strict=True)) for row in table[1:] if row[2] == "a@example.com")
    assert first["first_name"].startswith("'=") and first["last_name"] == "'-Minus" and first["phone"] == "'+13125550123"

    # Round trip into another business: the same records come back.
    other_owner = member(other_org, email="other-owner@example.com")
    with scope(organization=other_org):
        report = csv_io.clients_import(organization=other_org, actor=other_owner, rows=csv_io.parse(response.content))
        assert report.imported == 2, [r.errors for r in report.rows]
        back = Client.objects.get(email="a@example.com")
        assert back.first_name == "=HYPERLINK(\"x\")" and back.last_name == "-Minus" and back.phone == "+13125550123"
        assert back.sms_consent is True
        assert [t.name for t in Client.objects.get(email="bo@example.com").tags.all()] == ["VIP"]


def test_import_page_two_steps(org, web):
    upload = io.BytesIO((HEADER + "Ana,,ana@example.com,,,,\nBen,,bad,,,,\n").encode())
    upload.name = "clients.csv"
    response = web.post(f"/o/{org.slug}/clients/import/", {"step": "upload", "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import 1 valid row and skip 1" in html and "Fix the file" in html and "not an email" in html
    with scope(organization=org):
        assert Client.objects.count() == 0
    response = web.post(f"/o/{org.slug}/clients/import/", {"step": "confirm", "skip_invalid": "1"})
    assert response.status_code == 302
    with scope(organization=org):
        assert list(Client.objects.values_list("email", flat=True)) == ["ana@example.com"]
    # The rows are gone from the session once imported.
    response = web.post(f"/o/{org.slug}/clients/import/", {"step": "confirm", "skip_invalid": "1"})
    assert response.status_code == 302
    with scope(organization=org):
        assert Client.objects.count() == 1


def test_import_page_rejects_a_big_file(org, web):
    upload = io.BytesIO(b"first_name\n" + b"a\n" * (1024 * 1024 + 10))
    upload.name = "big.csv"
    response = web.post(f"/o/{org.slug}/clients/import/", {"step": "upload", "file": upload})
    assert response.status_code == 200
    assert "larger than 2 MB" in response.content.decode()


def test_a_birthday_in_the_future_or_before_1900_is_a_row_problem(org, owner):
    text = ("first_name,birthday\n"
            "Ann,2999-01-01\n"
            "Bo,1899-12-31\n"
            "Cy,1990-04-27\n")
    with scope(organization=org):
        report = csv_io.validate(organization=org, rows=rows(text))
    bad = {r.number: " ".join(r.errors) for r in report.invalid}
    assert sorted(bad) == [2, 3] and "between 1900 and today" in bad[2]
