def uninstall_hook(env):
    """The ready win-back journey's message goes back to its stock template (this addon's one, which
    shows the personal code, leaves with it)."""
    env["clientbase.journey.step"]._loyalty_setup_winback(restore=True)
