# configs/lnl_cmnist.py as shipped from session 4 to session 7 (lnl_mm 0.3;
# the rows "one run, 1 h step" of the full-scale table): the paper's two
# stages in one run with lambda = 0.1 and mu = 1.0, and the paper's single
# update of h per iteration. Today's lnl_cmnist.py gives h 3 steps.
_base_ = ['../../../configs/lnl_cmnist.py']

model = dict(bias_steps=1)
