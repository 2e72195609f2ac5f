"""SQLite storage for PollDay: connection, migrations, repositories. Never imports Qt."""
