"""Classify one RGB digit image with a config and a checkpoint.

Usage::

    python demo/image_demo.py IMAGE CONFIG CHECKPOINT [--device cpu]

e.g. ``python demo/image_demo.py digit.png configs/lnl_cmnist.py
checkpoints/lnl_cmnist_<date>-<hash>.pth``. The image (any size; grey
images get three equal channels) is resized to 28x28 and goes through the
config's test pipeline and data preprocessor (its normalisation), as the
test split does in ``tools/test.py``. Colored MNIST digits are a coloured
stroke on black; give images of that kind. Prints the predicted class and
its softmax score, then the scores of all classes with ``--all-scores``.
"""
import argparse
import os.path as osp
import sys

import cv2
import numpy as np

import lnl_mm  # noqa: F401  registers lnl_mm's components
from lnl_mm.apis import IMAGE_SIZE, inference_model, init_model
from lnl_mm.utils import UserError, run_cli


class ImageError(UserError, ValueError):
    """The image cannot be read."""


def read_image(path: str):
    """The image at ``path`` as (28, 28, 3) uint8 RGB."""
    if not osp.isfile(path):
        raise ImageError(f'Image {path!r} does not exist.')
    image = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageError(f'Cannot read {path!r} as an image (PNG, JPEG, '
                         'BMP, ...).')
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if image.shape[:2] != IMAGE_SIZE:
        # pixel-area averaging, the right filter for shrinking
        image = cv2.resize(image, IMAGE_SIZE[::-1],
                           interpolation=cv2.INTER_AREA)
    return image


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Predict the class of one RGB digit image (lnl_mm)')
    parser.add_argument('img', help='image file')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--device', default='cpu', help='device, e.g. cpu or cuda:0')
    parser.add_argument(
        '--all-scores', action='store_true',
        help='also print the score of every class')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    image = read_image(args.img)
    model = init_model(args.config, args.checkpoint, device=args.device)
    result = inference_model(model, [image])[0]
    classes = model.checkpoint_meta.get('dataset_meta', {}).get('classes')
    label = result['pred_label']
    name = f' ({classes[label]})' if classes and str(classes[label]) != \
        str(label) else ''
    print(f'{args.img}: class {label}{name}, score {result["pred_score"]:.4f}')
    if args.all_scores:
        for index, score in enumerate(result['pred_scores']):
            print(f'  class {index}: {score:.4f}')
    return result


if __name__ == '__main__':
    sys.exit(run_cli(main))
