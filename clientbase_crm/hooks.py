from .models.partner.res_partner_big_base import CONTACT_CHECK_PARAM, DISCOUNT_FLAG_PARAM
from .models.protection import res_partner_commercial_owner
from .segmentation import changes, members


def uninstall_hook(env):
    """Remove what the ORM does not know about: the triggers on other modules' tables
    (watching the segmentation engine's inputs, cascading deletions to the figures),
    their functions and the change table; the last-contact column the rules' crons keep on
    res_partner (no stored field of the ORM holds it) and the column of the commercial entity's
    manager with its triggers; the trigram indexes of the searches and where the deferred contact
    check and the discount flag got to."""
    changes.uninstall(env.cr)
    members.uninstall(env.cr)
    res_partner_commercial_owner.uninstall(env.cr)
    env.cr.execute("ALTER TABLE res_partner DROP COLUMN IF EXISTS client_last_contact_date")
    env["clientbase.client.figures"]._uninstall_cascade()
    env["res.partner"]._clientbase_drop_trigram_indexes()
    env["ir.config_parameter"].sudo().search(
        [("key", "in", (CONTACT_CHECK_PARAM, DISCOUNT_FLAG_PARAM))]
    ).unlink()
