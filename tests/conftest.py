import pytest
from oslo_config import cfg

from zaqar.common import configs


@pytest.fixture
def conf():
    """A fresh, fully registered configuration with no files read."""
    c = configs.register(cfg.ConfigOpts())
    c([], project="zaqar", default_config_files=[])
    yield c
    c.reset()
