"""Drop the foreign keys that other projects' models keep from a city into `public` (ADR 0032).

It runs after the last migration of every app that declares such a key; a later release of one of them that adds a
key again makes `tests/test_schema_copy.py` fail, and another migration like this one drops it.
"""

from django.db import migrations

from tenants.shared_keys import drop_keys_into_other_schemas


def drop_keys(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        drop_keys_into_other_schemas(cursor, schema_editor.connection.schema_name)


class Migration(migrations.Migration):
    # Each drop takes ACCESS EXCLUSIVE on the shared table it referenced. Not atomic: every drop commits at once,
    # so the migration never holds one shared table while waiting for another (a sign-in or a guardian grant in a
    # city not yet migrated may hold them in another order). Interrupted, it finds the keys left and drops those.
    atomic = False

    dependencies = [
        ("cms", "0003_user_references_without_constraint"),
        ("workflow", "0010_user_references_without_constraint"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    # Going back leaves the keys dropped: nothing in the platform relies on them (ADR 0032).
    operations = [migrations.RunPython(drop_keys, migrations.RunPython.noop, elidable=False)]
