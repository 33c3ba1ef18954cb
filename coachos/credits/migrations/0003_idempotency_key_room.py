from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("credits", "0002_booking_credit_link_and_turns"),
    ]

    operations = [
        migrations.AlterField(
            model_name="creditentry",
            name="idempotency_key",
            field=models.CharField(blank=True, max_length=120, null=True),
        ),
    ]
