"""Plain helpers without models: file parsing, bulk SQL writes, planner settings, contact data
checks, retries of a step a user raced. Imported by the models where they are used."""
