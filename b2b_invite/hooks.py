def post_init_hook(env):
    """Contacts that already log in to the portal keep ordering once the addon is installed."""
    portal_users = env["res.users"].with_context(active_test=False).search(
        [("share", "=", True), ("active", "=", True), ("partner_id.b2b_ordering", "=", False)])
    portal_users.partner_id.write({"b2b_ordering": True})
