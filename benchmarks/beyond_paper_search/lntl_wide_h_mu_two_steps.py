# The step schedule of lntl_wide_h_mu_step.py with a second step: mu 1.0
# for the first 3 of the 10 unlearning epochs, 0.3 for the next 3, then
# 0.09. At color_var 0.050 every lower reversal after the first epochs
# lifted validation (mu 0.3 throughout on seed 0, the step to 0.3 on seeds
# 0-2), and the runs there fit the labels less closely than the network
# does without the shortcut; the second step was aimed at letting f and g
# fit them in the last, low-lr epochs. Screened (README): at mu 0.09 colour
# comes back into f, and validation falls at both color_vars.
_base_ = ['./lntl_wide_h_mu_step.py']

model = dict(bias_neck=dict(milestones=[0.3, 0.6]))
