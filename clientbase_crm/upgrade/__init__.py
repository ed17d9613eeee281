"""Set-based data moves called by the ``migrations/`` scripts of the versions that need them."""
