"""The World fixture (tests/support/world.py): a running app with one user per role."""

from tests.support.world import world as world
