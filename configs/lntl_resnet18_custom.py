# LNTL on your own biased image folder (docs/custom_data.md), with
# MMPretrain's ResNet-18 split into f and g and a per-image bias head h on
# pooled f features. X/meta/{train,val,test}.txt list
# "relative/image/path.png <label> <bias>". A warm-up of pretrain_epochs
# (plain cross-entropy, h learns on detached features), then the
# alternating update with the paper's lambda and mu, on the paper's schedule
# (SGD lr 0.01, batch 128, 100 epochs, x0.1 at 40 and 80). One job:
#   python tools/train.py configs/lntl_resnet18_custom.py --cfg-options \
#       train_dataloader.dataset.data_root=X \
#       val_dataloader.dataset.data_root=X \
#       test_dataloader.dataset.data_root=X
# Results: none shipped (it depends on your data).
_base_ = [
    './_base_/models/resnet18_split_lntl.py',
    './_base_/datasets/biased_image_folder.py',
    './_base_/schedules/cmnist_lntl_sgd_100e.py',
    './_base_/default_runtime.py',
    './_base_/leakage_probe_biased_folder.py',
]

# ---- your data set (used below; set the same in baseline_resnet18_custom.py)
num_classes = 2  # labels 0 .. num_classes - 1
num_bias_classes = 2  # bias labels 0 .. num_bias_classes - 1
# residual stages of ResNet-18 in f (0-4): h reads f's map, g the rest
f_stages = 2
# ----

model = dict(
    backbone=dict(f_stages=f_stages),
    head=dict(num_classes=num_classes),
    bias_head=dict(
        num_classes=num_bias_classes,
        # f's channels after f_stages stages of ResNet-18
        in_channels=(64, 64, 128, 256, 512)[f_stages]),
    entropy_weight=0.01,  # lambda
    bias_neck=dict(mu=0.1),
    pretrain_epochs=10)
data_preprocessor = dict(num_classes=num_classes)

train_dataloader = dict(
    dataset=dict(classes=num_classes, bias_classes=num_bias_classes))
val_dataloader = dict(
    dataset=dict(classes=num_classes, bias_classes=num_bias_classes))
test_dataloader = dict(
    dataset=dict(classes=num_classes, bias_classes=num_bias_classes))
