from typing import Optional, Sequence

import numpy as np


def plot_confusion_matrix(matrix: np.ndarray,
                          path: str,
                          class_names: Optional[Sequence[str]] = None,
                          palette: Optional[Sequence[Sequence[float]]] = None,
                          title: str = 'confusion matrix') -> None:
    """Draw a confusion matrix the way the LNTL paper shows it.

    Rows are true classes and are normalised to sum to 1; a swatch of each
    class's mean bias colour (``palette``, RGB in [0, 1]) stands left of its
    row, so one sees which colour each class was trained with.

    Args:
        matrix (np.ndarray): ``(C, C)`` counts, ``matrix[true, pred]``.
        path (str): PNG file to write.
        class_names (Sequence[str], optional): Tick labels.
        palette (Sequence, optional): ``C`` RGB triples in [0, 1].
        title (str): Figure title.
    """
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    matrix = np.asarray(matrix, dtype=np.float64)
    num = matrix.shape[0]
    rows = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    names = list(class_names) if class_names else [str(i) for i in range(num)]
    fig, ax = plt.subplots(figsize=(7.5, 6))
    image = ax.imshow(rows, cmap='Blues', vmin=0, vmax=1)
    for i in range(num):
        for j in range(num):
            ax.text(j, i, f'{rows[i, j]:.2f}', ha='center', va='center',
                    fontsize=7, color='white' if rows[i, j] > 0.5 else 'black')
    ax.set_xticks(range(num), names)
    ax.set_yticks(range(num), names)
    ax.set_xlabel('predicted class')
    ax.set_ylabel('true class')
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    if palette is not None and len(palette) == num:
        # A swatch of each true class's mean colour, left of its row.
        for i, rgb in enumerate(np.clip(np.asarray(palette, float), 0, 1)):
            ax.add_patch(
                Rectangle((-1.45, i - 0.45), 0.8, 0.9, facecolor=rgb,
                          edgecolor='black', linewidth=0.5, clip_on=False))
        ax.tick_params(axis='y', pad=38)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
