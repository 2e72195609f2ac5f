"""Printed documents (A4 PDFs): sign-in sheets, attendance report, proxy list, and later ballots,
notices and certificates. Renderers take the time as an argument so output is reproducible; all
text goes through `fonts` (shipped, embedded TrueType fonts with per-character fallback)."""
