from django.db import migrations, models

# The total of the current (uncorrected) response before the latest one, per client and
# instrument: the expression assessments.services.SUMMARY_UPSERT_SQL uses for
# ``previous_total`` when this migration was written. Summaries of a single response
# keep null.
BACKFILL = """
UPDATE assessments_instrumentsummary s
SET previous_total = p.previous_total
FROM (
    SELECT r.client_id, r.instrument,
           (array_agg(r.total ORDER BY r.administered_at DESC, r.id DESC))[2] AS previous_total
    FROM assessments_instrumentresponse r
    WHERE NOT EXISTS (
        SELECT 1 FROM assessments_instrumentresponse a WHERE a.amends_id = r.id)
    GROUP BY r.client_id, r.instrument
    HAVING count(*) > 1
) p
WHERE s.client_id = p.client_id AND s.instrument = p.instrument
"""


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_instrument_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="instrumentsummary",
            name="previous_total",
            field=models.IntegerField(null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
