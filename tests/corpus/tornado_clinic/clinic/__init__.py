"""Patient portal of a small clinic: appointments, prescriptions and lab results over a JSON API."""
