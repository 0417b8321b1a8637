# lntl_mu_dann.py with the ramp going up to mu = 3.0 instead of 1.0: the
# gentle start of the DANN ramp (mu * (2 / (1 + exp(-10 p)) - 1), p counted
# from the switch) lets the reversal end stronger, pushing more colour out
# of f (the leakage probe is 17 points above Gray's at mu = 1.0).
_base_ = ['./lntl_mu_dann.py']

model = dict(bias_neck=dict(mu=3.0))
