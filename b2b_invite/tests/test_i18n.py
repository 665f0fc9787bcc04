import io

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open
from odoo.tools.translate import trans_export


@tagged("post_install", "-at_install")
class TestTranslationTemplate(TransactionCase):

    def test_pot_file_is_current(self):
        buffer = io.BytesIO()
        trans_export(False, ["b2b_invite"], buffer, "po", self.env.cr)
        exported = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode())}
        with file_open("b2b_invite/i18n/b2b_invite.pot") as pot:
            committed = {entry.msgid for entry in polib.pofile(pot.read())}
        self.assertFalse(
            exported - committed, "terms missing from i18n/b2b_invite.pot: run bin/b2b-pot")
        self.assertFalse(
            committed - exported, "terms gone from the code still in i18n/b2b_invite.pot: run bin/b2b-pot")
