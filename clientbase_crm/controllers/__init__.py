from . import vcard  # contact cards of clients go through the export guard
