"""FollowUpTask is gone: a serious side effect's follow-up is a `followup.Alert` now.

Its rows are copied by followup/0002_alerts_for_serious_side_effects, which declares
`run_before` this migration, so treatment's migrations name no higher app.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("treatment", "0004_signed_notes_immutable"),
    ]

    operations = [
        migrations.DeleteModel(name="FollowUpTask"),
    ]
