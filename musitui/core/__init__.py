"""The core: the catalog record, moods, play modes, the session and its rooms, and the
contracts the adapters (tui, mpris, commands) program against. No adapter is imported here."""
