"""Utilities shared by lnl_mm's tools: checkpoint safety, launching, AMP,
user errors and safe file writes.

Importing this package changes no process-wide state. Checkpoints are read by
:func:`read_checkpoint`, which allows the types of MMEngine checkpoints for
its own ``torch.load(weights_only=True)`` call only
(:func:`checkpoint_globals_allowed`); :func:`register_checkpoint_loader`
makes MMEngine's loader use it, and is called by ``CheckpointCheckHook``
before a Runner loads anything and by :func:`build_runner`.
"""
from .amp import (amp_device_available, enable_amp, find_optim_wrapper_cfgs,
                  named_optim_wrapper_cfgs)
from .arg_checks import check_int, check_number
from .atomic_files import (atomic_file, atomic_write_text, commit_file,
                           remove_stale_temp_files, temp_path_for)
from .cfg_utils import (DATALOADER_FIELDS, build_runner, check_dataset_cfgs,
                        check_hook_cfgs,
                        disable_persistent_workers_without_workers,
                        auto_num_workers, finalize_dataloaders,
                        set_dataloader_defaults, setup_default_scope,
                        setup_work_dir)
from .checkpoint import (UntrustedCheckpointError, checkpoint_path_of,
                         checkpoint_globals_allowed, checkpoint_safe_globals,
                         explain_untrusted_checkpoint,
                         untrusted_checkpoint_message)
from .checkpoint_io import (check_checkpoint_file, check_last_checkpoint,
                            read_checkpoint, register_checkpoint_loader)
from .cli import run_cli
from .config_diff import config_differences, parse_config_text
from .errors import (CheckpointError, CheckpointSaveError, ConfigError,
                     DataError, DataFileNotFoundError, DeviceError,
                     NonFiniteLossError, ResumeError, UserError,
                     WorkDirError)
from .launch import (dist_env_from_launcher, init_dist_for_device,
                     release_process_group, setup_distributed,
                     teardown_distributed, use_cpu_model_wrapper)
from .preflight import (TRAIN_FIELDS, check_config, check_dataloader_cfgs,
                        check_model_against_data, check_model_cfg,
                        check_optimizer_cfgs, check_optimizers_against_model,
                        check_train_loop_cfg)
from .numerics import (all_finite, non_finite_entries,
                       non_finite_model_state, non_finite_tensors)
from .runner_utils import (named_optim_wrappers, named_optimizers,
                           runner_model, unwrap_model)
from .state_dict_fit import StateDictFit, compare_state_dicts
from .work_dir import (check_free_space, check_writable_dir,
                       estimate_checkpoint_bytes)

__all__ = [
    'DATALOADER_FIELDS', 'TRAIN_FIELDS', 'check_config',
    'check_dataloader_cfgs', 'check_model_against_data', 'check_model_cfg',
    'check_optimizer_cfgs', 'check_optimizers_against_model',
    'check_train_loop_cfg', 'check_int', 'check_number',
    'named_optim_wrapper_cfgs',
    'amp_device_available', 'build_runner', 'check_dataset_cfgs',
    'check_hook_cfgs',
    'enable_amp',
    'find_optim_wrapper_cfgs',
    'disable_persistent_workers_without_workers', 'set_dataloader_defaults',
    'auto_num_workers', 'finalize_dataloaders',
    'setup_default_scope', 'setup_work_dir', 'UntrustedCheckpointError',
    'checkpoint_path_of', 'checkpoint_safe_globals',
    'checkpoint_globals_allowed', 'explain_untrusted_checkpoint',
    'untrusted_checkpoint_message', 'dist_env_from_launcher',
    'init_dist_for_device', 'release_process_group', 'setup_distributed',
    'teardown_distributed',
    'use_cpu_model_wrapper', 'check_checkpoint_file',
    'check_last_checkpoint', 'read_checkpoint',
    'register_checkpoint_loader', 'CheckpointError', 'ConfigError',
    'DeviceError', 'CheckpointSaveError', 'DataError',
    'DataFileNotFoundError', 'NonFiniteLossError', 'ResumeError',
    'UserError', 'WorkDirError',
    'atomic_file', 'atomic_write_text', 'commit_file',
    'all_finite', 'non_finite_model_state',
    'remove_stale_temp_files', 'temp_path_for', 'non_finite_entries',
    'non_finite_tensors', 'StateDictFit', 'compare_state_dicts',
    'check_free_space', 'check_writable_dir', 'estimate_checkpoint_bytes',
    'config_differences', 'parse_config_text', 'run_cli',
    'named_optim_wrappers', 'named_optimizers', 'runner_model',
    'unwrap_model'
]
