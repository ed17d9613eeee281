def uninstall_hook(env):
    """The ready win-back journey's message goes back to its stock template (this addon's one, which
    shows the personal code, leaves with it). The journeys' results are built again without the
    codes, whose columns go with the addon."""
    env["clientbase.journey.step"]._loyalty_setup_winback(restore=True)
    for model in ("clientbase.journey.result", "clientbase.journey.step.result"):
        env[model].with_context(clientbase_loyalty_uninstall=True).init()
