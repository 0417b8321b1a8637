"""Prediction outside a Runner: build a config's model, load a checkpoint,
classify RGB images."""
from .inference import (IMAGE_SIZE, as_rgb_uint8, inference_model,
                        init_model, load_config, load_weights, test_pipeline)

__all__ = [
    'IMAGE_SIZE', 'as_rgb_uint8', 'inference_model', 'init_model',
    'load_config', 'load_weights', 'test_pipeline'
]
