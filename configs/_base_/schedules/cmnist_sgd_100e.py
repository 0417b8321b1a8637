# The paper's schedule: SGD, momentum 0.9, weight decay 5e-4, batch 128
# (in the dataset config), 100 epochs, lr x0.1 at epochs 40 and 80.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4))

param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[40, 80], gamma=0.1)

train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# lr scales linearly with the total batch size (tools/train.py
# --auto-scale-lr); the recipe's lr belongs to a total batch of 128.
auto_scale_lr = dict(base_batch_size=128)
