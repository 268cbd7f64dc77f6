"""One blueprint per resource; each view states the roles it allows at its top."""
