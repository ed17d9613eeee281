from . import test_demo_generator
