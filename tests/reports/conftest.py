from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)
