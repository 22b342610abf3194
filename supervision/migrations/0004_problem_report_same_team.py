"""A problem found in a report belongs to the report's team (composite foreign key)."""

from django.db import migrations

FORWARD = """
ALTER TABLE supervision_problem
    ADD CONSTRAINT supervision_problem_report_same_team
    FOREIGN KEY (report_id, team_id) REFERENCES supervision_dailyreport (id, team_id)
    DEFERRABLE INITIALLY DEFERRED;
"""

BACKWARD = "ALTER TABLE supervision_problem DROP CONSTRAINT supervision_problem_report_same_team;"


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_report_id_team")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
