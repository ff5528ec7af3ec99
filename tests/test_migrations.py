"""The move of the tenancy into core and of the document models into documents changes no table: a database made
before it keeps every row, and the content types and audit entries follow the models to their new apps."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("covenant", "0004_unit_province_membership_year"),
    ("reports", "0004_document_checked_on"),
    ("scoring", "0003_voting"),
]


@pytest.fixture
def migrator(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_rows_made_before_the_move_are_found_after_it(migrator):
    old = migrator.loader.project_state(BEFORE).apps
    Province, Bloc, BlocYear = (old.get_model("covenant", m) for m in ("Province", "Bloc", "BlocYear"))
    Unit, Membership = old.get_model("covenant", "Unit"), old.get_model("covenant", "Membership")
    AuditEntry, ContentType = old.get_model("covenant", "AuditEntry"), old.get_model("contenttypes", "ContentType")
    DocumentSetup = old.get_model("reports", "DocumentSetup")
    province = Province.objects.create(code="kon-tum", name="Kon Tum")
    bloc = Bloc.objects.create(code="khoi-tckt", name="Khối TCKT", province=province)
    year = BlocYear.objects.create(bloc=bloc, year=2017)
    unit = Unit.objects.create(code="so-tai-chinh", name="Sở Tài chính", short_name="STC", province=province)
    Membership.objects.create(bloc_year=year, unit=unit, order=1, role="head", year=2017)
    AuditEntry.objects.create(bloc_year=year, at="2017-03-15T08:00:00+07:00", action="member.add",
                              target_type="covenant.membership", target_id="1", target_repr="1. Sở Tài chính")
    DocumentSetup.objects.create(bloc_year=year, kind="ranking", number="07", symbol="BC-KTCKT")
    ContentType.objects.get_or_create(app_label="covenant", model="blocyear")
    ContentType.objects.get_or_create(app_label="reports", model="documentsetup")

    migrator.loader.build_graph()
    latest = migrator.loader.graph.leaf_nodes()
    migrator.migrate(latest)
    new = migrator.loader.project_state(latest).apps

    year = new.get_model("core", "BlocYear").objects.get(bloc__code="khoi-tckt", year=2017)
    assert year.bloc.province.name == "Kon Tum"
    assert new.get_model("core", "Membership").objects.get(bloc_year=year).unit.short_name == "STC"
    assert new.get_model("documents", "DocumentSetup").objects.get(bloc_year=year).number == "07"
    entry = new.get_model("core", "AuditEntry").objects.get(bloc_year=year)
    assert entry.target_type == "core.membership"
    labels = set(new.get_model("contenttypes", "ContentType").objects.values_list("app_label", "model"))
    assert {("core", "blocyear"), ("documents", "documentsetup")} <= labels
    assert not {("covenant", "blocyear"), ("reports", "documentsetup")} & labels
    tables = set(connection.introspection.table_names())
    assert {"covenant_blocyear", "covenant_auditentry", "reports_documentsetup", "reports_rendereddocument"} <= tables
