"""Pure customer rules: phone validation and country, names, ages, documents, search, wire shapes."""
