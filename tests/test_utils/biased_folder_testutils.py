"""A tiny biased image folder for the tests, written into tmp_path.

Layout (what configs/_base_/datasets/biased_image_folder.py expects)::

    root/meta/{train,val,test}.txt   "<image> <label> <bias>" per line
                                     (images/<split>/<n>.png)
    root/images/<split>/<n>.png      RGB PNGs, tinted by their bias label

In train, every image but the last of each class has the bias label
``label % num_bias_classes`` (so that is each class's majority, "aligned");
the last one gets the next bias label (conflicting). In val and test the bias
label cycles through all values, independently of the class.
"""
import os
import os.path as osp

import cv2
import numpy as np

SPLITS = ('train', 'val', 'test')


def make_image(label: int, bias: int, num_bias_classes: int, size, rng):
    """RGB uint8 image: noise whose hue encodes the bias label and a bright
    square whose position encodes the class."""
    height, width = size
    hue = np.array([(bias + 1) / (num_bias_classes + 1), 0.5,
                    1 - bias / max(num_bias_classes, 1)])
    img = rng.integers(0, 64, (height, width, 3)) + 150 * hue
    top = (label * 3) % max(height - 6, 1)
    img[top:top + 6, 2:8] = 255
    return np.clip(img, 0, 255).astype(np.uint8)


def write_biased_folder(root,
                        num_classes: int = 3,
                        num_bias_classes: int = 3,
                        per_class=dict(train=4, val=2, test=2),
                        size=(32, 32),
                        seed: int = 0):
    """Write the folder; return ``(root, images)`` where ``images[split]``
    is the list of ``(relative path, label, bias, RGB array)``."""
    rng = np.random.default_rng(seed)
    root = str(root)
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    images = {}
    for split in SPLITS:
        os.makedirs(osp.join(root, 'images', split), exist_ok=True)
        entries = []
        for label in range(num_classes):
            count = per_class[split]
            for i in range(count):
                if split == 'train':
                    shift = 1 if i == count - 1 and count > 1 else 0
                    bias = (label + shift) % num_bias_classes
                else:
                    bias = (label + i + 1) % num_bias_classes
                path = f'images/{split}/{len(entries):04d}.png'
                img = make_image(label, bias, num_bias_classes, size, rng)
                # cv2 writes BGR: reverse the channels to store RGB
                assert cv2.imwrite(osp.join(root, path), img[..., ::-1])
                entries.append((path, label, bias, img))
        with open(osp.join(root, 'meta', f'{split}.txt'), 'w') as f:
            f.writelines(f'{p} {lab} {b}\n' for p, lab, b, _ in entries)
        images[split] = entries
    return root, images
