# (placeholder: filled by the bench work)
