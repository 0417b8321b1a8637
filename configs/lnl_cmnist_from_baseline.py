# The paper's two-stage recipe: start from a trained baseline checkpoint
# (configs/baseline_cmnist.py) and run the unlearning update at lr 0.001.
#   python tools/train.py configs/lnl_cmnist_from_baseline.py \
#       --cfg-options load_from=work_dirs/baseline_cmnist/epoch_10.pth
# The baseline's f and g weights load into LNTLClassifier (same names);
# h starts from its initialisation.
_base_ = ['./lnl_cmnist_paper.py']

model = dict(pretrain_epochs=0)

optim_wrapper = dict(
    main=dict(optimizer=dict(lr=0.001)), bias=dict(optimizer=dict(lr=0.001)))

# The baseline config's last checkpoint under its default work dir.
load_from = 'work_dirs/baseline_cmnist/epoch_10.pth'
