from . import clientbase_demo_generator
