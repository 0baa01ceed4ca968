from tests.treatment.conftest import episode_a, ready_episode, session_a  # noqa: F401  (fixtures)
