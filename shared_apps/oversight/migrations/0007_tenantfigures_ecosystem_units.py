from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0006_tenantfigures_ecosystem"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenantfigures",
            name="ecosystem_units",
            field=models.JSONField(blank=True, default=list, verbose_name="牵引单位成员与产品"),
        ),
    ]
