"""Operations on the whole database: backup and restore (issue 14). No models, no views."""
