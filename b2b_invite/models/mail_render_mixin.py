from odoo import api, models


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    @api.model
    def _render_eval_context(self):
        """Remember the dates formatted while a bulk batch renders (context b2b_compile_once).

        Formatting a date costs Odoo about 0.6 ms (language and locale lookups), more than
        rendering the rest of the invitation body; a batch's invitations share one expiry.
        """
        render_context = super()._render_eval_context()
        if self.env.context.get("b2b_compile_once"):
            for name in ("format_date", "format_datetime"):
                render_context[name] = _remembered(render_context[name])
        return render_context


def _remembered(function):
    results = {}

    def remembered(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in results:
            results[key] = function(*args, **kwargs)
        return results[key]

    return remembered
