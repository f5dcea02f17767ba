"""The figures (PNG), drawn with matplotlib, an optional extra: `pip install -e .[plots]`.

matplotlib is imported only when a figure is drawn, so everything else works without it.
"""
import io

from .tables import write_atomic

DPI = 80
TRAIN_TEST = (('train', 'tab:blue'), ('test', 'tab:orange'))


def available():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')  # files only, no display needed
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path):
    """PNG without a time stamp (same figure, same bytes), written atomically."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png', dpi=DPI, metadata={'Software': None})
    _pyplot().close(fig)
    write_atomic(path, buffer.getvalue())


def _epoch_axis(ax, epochs):
    """Whole epochs on the x axis, and dashed lines where the learning rate was halved."""
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel('epoch')
    for i, epoch in enumerate(epochs):
        # a point is the end of an epoch; the rate drops before epoch e's first step, so the
        # line goes between the points of epochs e - 1 and e
        ax.axvline(epoch - 0.5, color='grey', linestyle='--', linewidth=1, label='lr halved' if i == 0 else None)


def curves(result, path, title):
    """Loss and accuracy per epoch, train vs test; dashed lines where the learning rate was halved."""
    fig, axes = _pyplot().subplots(1, 2, figsize=(8, 3.2))
    epochs = [row['epoch'] for row in result['epochs']]
    for ax, metric in zip(axes, ('loss', 'acc')):
        for split, colour in TRAIN_TEST:
            ax.plot(epochs, [row['%s_%s' % (split, metric)] for row in result['epochs']],
                    marker='o', markersize=3, color=colour, label=split)
        _epoch_axis(ax, result['config']['lr_halve_at'])
        ax.set_ylabel('accuracy' if metric == 'acc' else 'loss')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    _save(fig, path)


def accuracy_grid(rows, path):
    """Final test accuracy as a heat map, activation x loss, one panel per architecture; the colours
    span the top 0.15 of the grid's range (lower ones all darkest), so close accuracies still differ."""
    plt = _pyplot()
    architectures = list(dict.fromkeys(row['architecture'] for row in rows))
    activations = list(dict.fromkeys(row['activation'] for row in rows))
    losses = list(dict.fromkeys(row['loss'] for row in rows))
    known = [row['test_acc'] for row in rows if row['test_acc'] is not None] or [0.0]
    high = max(known)
    low = min(max(min(known), high - 0.15), high - 1e-3)
    fig, axes = plt.subplots(1, len(architectures), figsize=(3.6 * len(architectures) + 1, 3.8), squeeze=False,
                             layout='constrained')
    for ax, arch in zip(axes[0], architectures):
        table = {(r['activation'], r['loss']): r['test_acc'] for r in rows if r['architecture'] == arch}
        values = [[table.get((a, l)) for l in losses] for a in activations]
        image = ax.imshow([[float('nan') if v is None else v for v in line] for line in values],
                          vmin=low, vmax=high, cmap='viridis')
        for i, line in enumerate(values):
            for j, value in enumerate(line):
                dark = value is None or value < (low + high) / 2
                ax.text(j, i, '-' if value is None else '%.3f' % value, ha='center', va='center',
                        fontsize=8, color='white' if dark else 'black')
        ax.set_xticks(range(len(losses)), losses, rotation=30, ha='right', fontsize=8)
        ax.set_yticks(range(len(activations)), activations, fontsize=8)
        ax.set_title(arch, fontsize=9)
    fig.suptitle('final test accuracy', fontsize=9)
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8)
    _save(fig, path)


def bands(rows, path, title, marks=()):
    """Mean per epoch with a band of one standard deviation, one line per group: test accuracy and
    train loss; dashed lines at the epochs in marks."""
    fig, axes = _pyplot().subplots(1, 2, figsize=(8.5, 3.4))
    groups = list(dict.fromkeys(row['group'] for row in rows))
    for ax, metric in zip(axes, ('test_acc', 'train_loss')):
        for group in groups:
            mine = [r for r in rows if r['group'] == group and r[metric + '_mean'] is not None]
            epochs = [r['epoch'] for r in mine]
            mean = [r[metric + '_mean'] for r in mine]
            std = [r[metric + '_std'] for r in mine]
            line, = ax.plot(epochs, mean, marker='o', markersize=3, label=group)
            ax.fill_between(epochs, [m - s for m, s in zip(mean, std)], [m + s for m, s in zip(mean, std)],
                            color=line.get_color(), alpha=0.2)
        _epoch_axis(ax, marks)
        ax.set_ylabel(metric.replace('_', ' ').replace('acc', 'accuracy'))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    _save(fig, path)


def confusion(matrix, class_names, path, title):
    """Counts of (true, predicted) as a heat map, each cell labelled."""
    fig, ax = _pyplot().subplots(figsize=(6, 5.2))
    image = ax.imshow(matrix, cmap='Blues')
    top = max(max(line) for line in matrix)
    for i, line in enumerate(matrix):
        for j, count in enumerate(line):
            ax.text(j, i, str(count), ha='center', va='center', fontsize=7,
                    color='white' if count > top / 2 else 'black')
    ax.set_xticks(range(len(class_names)), class_names, rotation=45, ha='right', fontsize=8)
    ax.set_yticks(range(len(class_names)), class_names, fontsize=8)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    ax.set_title(title, fontsize=9)
    fig.colorbar(image, ax=ax, shrink=0.8)
    fig.tight_layout()
    _save(fig, path)


def weights(result, path, title):
    """A histogram of each Linear layer's weights."""
    layers = result['weights']
    fig, axes = _pyplot().subplots(1, len(layers), figsize=(3.4 * len(layers), 3), squeeze=False)
    for ax, layer in zip(axes[0], layers):
        edges = layer['edges']
        if edges:
            ax.stairs(layer['counts'], edges, fill=True, alpha=0.7)
        ax.set_title('%s %s, std %s' % (layer['layer'], 'x'.join(map(str, layer['shape'])),
                                        '-' if layer['std'] is None else '%.3f' % layer['std']), fontsize=8)
        ax.set_xlabel('weight')
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    _save(fig, path)
