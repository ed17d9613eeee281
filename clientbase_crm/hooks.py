from .models import segment_sources


def uninstall_hook(env):
    """Remove what the ORM does not know about: the triggers on other modules' tables
    (watching the segmentation engine's inputs, cascading deletions to the figures),
    their functions and the change table."""
    segment_sources.uninstall(env.cr)
    env["clientbase.client.figures"]._uninstall_cascade()
