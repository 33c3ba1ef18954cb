from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0003_skipped_occurrence"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessiontype",
            name="payment_mode",
            field=models.CharField(choices=[("free", "Free"), ("credit", "A package credit"),
                                            ("pay", "Paid when booking"),
                                            ("either", "A credit or paid (the client chooses)")],
                                   default="free", max_length=10, verbose_name="how it is paid"),
        ),
        migrations.AddField(
            model_name="sessiontype",
            name="deposit_minor",
            field=models.PositiveIntegerField(default=0, help_text="0: the full price is paid when booking. Otherwise the deposit is paid then, the rest at the session.", verbose_name="deposit (in cents)"),
        ),
        migrations.AddField(
            model_name="sessiontype",
            name="new_clients_only",
            field=models.BooleanField(default=False, help_text="An intro offer: only clients who never booked before may book it.", verbose_name="new clients only"),
        ),
    ]
