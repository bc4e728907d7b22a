"""The domain model (IR): the typed model, the builder that derives every name, sample values."""
