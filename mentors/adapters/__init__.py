"""The source adapters, one module per source (docs/sources.md). Registered, and imported by
the rest of the project, through ``mentors.sources`` (its ``FILE_READERS`` and
``API_READERS``); this package imports nothing itself, so its modules share ``base`` without
an import circle."""
