"""Plain helpers without models: file parsing (``import_file``), what an imported file's rows
mean and which are duplicates (``import_matching``), bulk SQL writes, planner settings, contact
data checks, the markers of a forgotten client in free text (``forget_markers``), retries of a step a user raced. Imported by the models where they are used."""
