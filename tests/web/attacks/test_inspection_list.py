"""Finding 10: inspectors could read every signed record's summary through
``/api/inspections``, which is documented for supervisors only."""


def test_inspectors_and_volunteers_cannot_list_inspections(app, admin, make_user):
    inspector = make_user("kim", "inspector")
    assert inspector.api("GET", "/api/inspections").status_code == 403
    assert inspector.api("GET", "/api/inspections?status=signed_off&limit=200").status_code == 403


def test_supervisors_and_admins_can(app, admin, make_user):
    supervisor = make_user("park", "supervisor")
    assert supervisor.api("GET", "/api/inspections").status_code == 200
    assert admin.api("GET", "/api/inspections").status_code == 200
