# Baseline on your own biased image folder (docs/custom_data.md): plain
# cross-entropy on the same split ResNet-18, data, pipeline and schedule as
# configs/lntl_resnet18_custom.py, with mmpretrain's ImageClassifier. One
# job, with your folder X:
#   python tools/train.py configs/baseline_resnet18_custom.py --cfg-options \
#       train_dataloader.dataset.data_root=X \
#       val_dataloader.dataset.data_root=X \
#       test_dataloader.dataset.data_root=X
# Results: none shipped (it depends on your data).
_base_ = [
    './_base_/models/resnet18_split_baseline.py',
    './_base_/datasets/biased_image_folder.py',
    './_base_/schedules/cmnist_sgd_100e.py',
    './_base_/default_runtime.py',
    './_base_/leakage_probe_biased_folder.py',
]

# ---- your data set (used below; set the same in lntl_resnet18_custom.py)
num_classes = 2  # labels 0 .. num_classes - 1
num_bias_classes = 2  # bias labels 0 .. num_bias_classes - 1
# residual stages of ResNet-18 in f (0-4): where the leakage probe reads
f_stages = 2
# ----

model = dict(
    backbone=dict(f_stages=f_stages), head=dict(num_classes=num_classes))
data_preprocessor = dict(num_classes=num_classes)

train_dataloader = dict(
    dataset=dict(classes=num_classes, bias_classes=num_bias_classes))
val_dataloader = dict(
    dataset=dict(classes=num_classes, bias_classes=num_bias_classes))
test_dataloader = dict(
    dataset=dict(classes=num_classes, bias_classes=num_bias_classes))
