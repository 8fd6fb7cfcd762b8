from casemgmt.lib.exports import csv_response


def test_csv_response_is_an_attachment_with_the_header_then_the_rows():
    response = csv_response("figures.csv", ["Name", "Count"], iter([["A, B", 2], ["C", 0]]))
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="figures.csv"'
    assert response.content.decode().splitlines() == ["Name,Count", '"A, B",2', "C,0"]
