# LNTL in the paper's two-stage form, its second stage: start from a trained
# baseline checkpoint (configs/baseline_cmnist.py's epoch_10.pth, load_from)
# and run the unlearning update with the paper's lambda = 0.01 and mu = 0.1
# at lr 0.001 (x0.1 at 4 and 8) for 10 epochs, no warm-up. The baseline's f
# and g weights load under the same names; h starts from its
# initialisation. One job, after the baseline's:
#   python tools/train.py configs/lnl_cmnist_from_baseline.py
# Results (color_var 0.020, 4 seeds): README.md (results table),
# metafile.yml; the paper's 100 + 100 epochs from a 100-epoch baseline
# (tools/analysis/sweep.py --epochs 100): docs/reproduce_paper.md.
_base_ = ['./lnl_cmnist_paper.py']

model = dict(pretrain_epochs=0)

optim_wrapper = dict(
    main=dict(optimizer=dict(lr=0.001)), bias=dict(optimizer=dict(lr=0.001)))

# The baseline config's last checkpoint under its default work dir.
load_from = 'work_dirs/baseline_cmnist/epoch_10.pth'
