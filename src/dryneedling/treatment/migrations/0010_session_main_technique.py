"""Session.main_technique (issue 12 speed): the technique of most of a session's insertions, kept
by insertion_record; existing sessions are filled in one UPDATE with a correlated subquery (ties:
pistoning, static, electrical, as treatment.models.main_technique_of)."""

from django.db import migrations, models
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When

ORDER = ("pistoning", "static", "electrical")


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The base managers: plain ones, as a migration's historical models have (the tests pass the
    # project's apps, whose default managers insist on a clinic scope).
    Session = apps.get_model("treatment", "Session")._base_manager
    Insertion = apps.get_model("treatment", "Insertion")._base_manager
    whens = [When(technique=t, then=Value(i)) for i, t in enumerate(ORDER)]
    rank = Case(*whens, default=Value(9), output_field=IntegerField())
    main = (
        Insertion.filter(session_id=OuterRef("pk"))
        .values("technique")
        .annotate(n=Count("id"), rank=rank)
        .order_by("-n", "rank")
        .values("technique")[:1]
    )
    Session.filter(pk__in=Insertion.values("session_id")).update(main_technique=Subquery(main))


class Migration(migrations.Migration):
    dependencies = [
        ("treatment", "0009_insertion_muscle_region_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="main_technique",
            field=models.CharField(blank=True, default="", max_length=12),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
