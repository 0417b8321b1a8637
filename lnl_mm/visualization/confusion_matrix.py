from typing import Optional, Sequence

import numpy as np

#: Beyond this many rows or columns the cell values are not written.
MAX_ANNOTATED_CELLS = 25
#: Beyond this many rows or columns only every k-th tick is labelled.
MAX_TICK_LABELS = 50


def _names(names: Optional[Sequence[str]], num: int) -> list:
    """``num`` tick labels: the given names, then indices."""
    names = list(names or [])[:num]
    return names + [str(i) for i in range(len(names), num)]


def _set_ticks(ax, x_names: Sequence[str], y_names: Sequence[str]) -> None:
    """Label the ticks, thinning them out on large grids."""
    for names, setter in ((x_names, ax.set_xticks), (y_names, ax.set_yticks)):
        step = max(1, -(-len(names) // MAX_TICK_LABELS))
        ticks = list(range(0, len(names), step))
        setter(ticks, [names[i] for i in ticks])


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
    names = _names(class_names, num)
    side = max(6.0, min(0.3 * num + 3, 30.0))
    fig, ax = plt.subplots(figsize=(side * 1.25, side))
    image = ax.imshow(rows, cmap='Blues', vmin=0, vmax=1)
    if num <= MAX_ANNOTATED_CELLS:
        for i in range(num):
            for j in range(num):
                ax.text(j, i, f'{rows[i, j]:.2f}', ha='center',
                        va='center', fontsize=7,
                        color='white' if rows[i, j] > 0.5 else 'black')
    _set_ticks(ax, names, names)
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


def plot_bias_grid(correct: np.ndarray,
                   counts: np.ndarray,
                   path: str,
                   class_names: Optional[Sequence[str]] = None,
                   bias_names: Optional[Sequence[str]] = None,
                   aligned: Optional[Sequence[Optional[int]]] = None,
                   title: str = 'accuracy per class and bias') -> None:
    """Draw accuracy per (class, bias label) group.

    Rows are classes, columns bias labels; each cell shows the group's
    accuracy and its number of samples (empty groups are left blank). The
    aligned bias label of each class, if given, is outlined, so one sees how
    accuracy drops away from it.

    Args:
        correct (np.ndarray): ``(C, B)`` correctly classified samples.
        counts (np.ndarray): ``(C, B)`` samples per group.
        path (str): PNG file to write.
        class_names (Sequence[str], optional): Row labels.
        bias_names (Sequence[str], optional): Column labels.
        aligned (Sequence, optional): Per class, the aligned bias label (or
            None).
        title (str): Figure title.
    """
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    counts = np.asarray(counts, dtype=np.int64)
    num_rows, num_cols = counts.shape
    accuracy = np.asarray(correct, dtype=np.float64) / np.maximum(counts, 1)
    shown = np.ma.masked_where(counts == 0, accuracy)
    rows, cols = _names(class_names, num_rows), _names(bias_names, num_cols)
    width = max(6.0, min(0.45 * num_cols + 3, 30.0))
    height = max(4.5, min(0.35 * num_rows + 2, 30.0))
    fig, ax = plt.subplots(figsize=(width, height))
    image = ax.imshow(shown, cmap='RdYlGn', vmin=0, vmax=1, aspect='auto')
    if max(num_rows, num_cols) <= MAX_ANNOTATED_CELLS:
        fontsize = 9 if max(num_rows, num_cols) <= 10 else 6
        for i in range(num_rows):
            for j in range(num_cols):
                if counts[i, j]:
                    ax.text(j, i, f'{accuracy[i, j]:.2f}\nn={counts[i, j]}',
                            ha='center', va='center', fontsize=fontsize)
    for i, bias in enumerate(aligned or []):
        if bias is not None and 0 <= bias < num_cols:
            ax.add_patch(
                Rectangle((bias - 0.5, i - 0.5), 1, 1, fill=False,
                          edgecolor='black', linewidth=2))
    _set_ticks(ax, cols, rows)
    ax.set_xlabel('bias label (outlined: aligned with the class)')
    ax.set_ylabel('true class')
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
