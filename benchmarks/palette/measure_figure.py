"""Measure the stroke colour of the coloured training digits in an example
figure of the paper's Colored MNIST (the 392x288 PNG
`colored-mnist-example.png` in the README of
github.com/hushon/learning-not-to-learn-tensorflow, a reimplementation that
trains on the authors' files: four training rows and two test rows of the
ten digits).

Prints the `paper_figure` rows of samples.csv:

    python benchmarks/palette/measure_figure.py colored-mnist-example.png

Each tile's stroke is the pixels at least 60 % as bright as the tile's
brightest; the figure is rescaled, so edge pixels blend with black, and the
median of the brighter half of the stroke is taken as the digit's colour.
"""
import argparse

import numpy as np
from PIL import Image

#: Left edges of the ten tile columns and the right edge of the last one.
COLUMN_EDGES = (5, 44, 82, 120, 159, 197, 235, 274, 312, 351, 387)
#: Top and bottom rows of the four training rows of tiles.
TRAIN_ROWS = ((22, 58), (62, 99), (103, 140), (145, 181))
#: Pixels cut from each side of a tile (its white frame).
MARGIN = 2
#: Stroke: at least this fraction of the tile's brightest pixel.
STROKE_FRACTION = 0.6


def tile_colour(tile: np.ndarray) -> np.ndarray:
    """The stroke colour (0..255 floats) of one (h, w, 3) tile."""
    pixels = tile.reshape(-1, 3).astype(np.float64)
    brightness = pixels.max(1)
    stroke = pixels[brightness >= STROKE_FRACTION * brightness.max()]
    stroke_brightness = stroke.max(1)
    brighter = stroke[stroke_brightness >= np.percentile(stroke_brightness,
                                                         50)]
    return np.median(brighter, axis=0)


def measure(image: np.ndarray):
    """(row, label, colour) of every training tile of the figure."""
    for row, (top, bottom) in enumerate(TRAIN_ROWS):
        for label in range(10):
            left, right = COLUMN_EDGES[label], COLUMN_EDGES[label + 1]
            tile = image[top + MARGIN:bottom - MARGIN,
                         left + MARGIN:right - MARGIN]
            yield row, label, tile_colour(tile)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('figure', help='colored-mnist-example.png')
    args = parser.parse_args()
    image = np.asarray(Image.open(args.figure).convert('RGB'))
    if image.shape[:2] != (288, 392):
        raise SystemExit(f'{args.figure} is {image.shape[1]}x'
                         f'{image.shape[0]}; the tile positions are those '
                         'of the 392x288 figure.')
    rows = sorted(measure(image), key=lambda item: (item[1], item[0]))
    for row, label, colour in rows:
        r, g, b = np.rint(colour).astype(int)
        print(f'paper_figure,{row},{label},{r},{g},{b}')


if __name__ == '__main__':
    main()
