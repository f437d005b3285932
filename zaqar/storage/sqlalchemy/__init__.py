"""SQL storage (SQLAlchemy Core): the embedded SQLite default, PostgreSQL
and MySQL/MariaDB, for both the data and the control plane."""
