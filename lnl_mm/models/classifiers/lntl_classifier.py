from contextlib import contextmanager
from typing import Callable, Dict, Iterable, List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.logging import MessageHub, print_log
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmpretrain.models.classifiers.base import BaseClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...utils.arg_checks import check_int, check_number
from ..losses import UNCERTAINTY_LOSSES
from ..necks.gradient_reversal import training_progress


#: How to configure the two optimizers :meth:`LNTLClassifier.train_step`
#: needs.
TWO_OPTIMIZERS_FIX = (
    "Configure optim_wrapper=dict(constructor='LNTLOptimWrapperConstructor',"
    " main=dict(type='OptimWrapper', optimizer=...), bias=dict(type="
    "'OptimWrapper', optimizer=...)).")


@contextmanager
def detached_parameters(module: nn.Module):
    """Within the block, ``module``'s parameters are replaced by detached
    views of themselves: forward results are unchanged, gradients still flow
    to the inputs, but none reach the parameters. Buffers (BatchNorm running
    statistics) behave as usual."""
    saved = []
    for sub in module.modules():
        for name, param in list(sub._parameters.items()):
            if param is not None:
                saved.append((sub, name, param))
                del sub._parameters[name]
                setattr(sub, name, param.detach())
    try:
        yield module
    finally:
        for sub, name, param in saved:
            delattr(sub, name)
            sub._parameters[name] = param


@contextmanager
def recorded_batch_norm_inputs(module: nn.Module):
    """Within the block, record every BatchNorm layer of ``module`` that
    runs, with its input; yields a function that runs those layers again on
    their recorded inputs (outputs discarded, no graph), which updates their
    running statistics as a second, identical forward would."""
    calls = []

    def record(layer, args):
        calls.append((layer, args[0]))

    handles = [
        layer.register_forward_pre_hook(record)
        for layer in module.modules()
        if isinstance(layer, nn.modules.batchnorm._BatchNorm)
    ]

    def repeat_statistics_updates():
        with torch.no_grad():
            for layer, x in calls:
                layer(x)

    try:
        yield repeat_statistics_updates
    finally:
        for handle in handles:
            handle.remove()


def give_zero_gradients(optimizer: torch.optim.Optimizer) -> None:
    """Give every parameter of ``optimizer`` that has no gradient a zero
    one, so that its next step still applies momentum and weight decay to
    it, as when ``zero_grad()`` left zero tensors (PyTorch < 2)."""
    for group in optimizer.param_groups:
        for param in group['params']:
            if param.grad is None:
                param.grad = torch.zeros_like(param)


def check_head_channels(backbone: nn.Module, head: nn.Module,
                        bias_head: nn.Module) -> None:
    """Refuse heads whose ``in_channels`` differ from what the backbone
    gives them (``f_channels`` to ``h``, ``g_channels`` to the label head),
    when both sides declare it, with the config value to set."""
    for name, module, attr in (('bias_head', bias_head, 'f_channels'),
                               ('head', head, 'g_channels')):
        given = getattr(backbone, attr, None)
        wanted = getattr(module, 'in_channels', None)
        if isinstance(given, int) and isinstance(wanted, int) \
                and given != wanted:
            raise ValueError(
                f'LNTLClassifier: {name}.in_channels={wanted}, but the '
                f'backbone ({type(backbone).__name__}) feeds it {given} '
                f'channels; set model.{name}.in_channels={given} (they change'
                ' with the backbone split, e.g. SplitResNet\'s f_stages).')


@MODELS.register_module()
class LNTLClassifier(BaseClassifier):
    """A classifier trained with "Learning Not to Learn" (Kim et al. 2019).

    It ties together the feature extractor ``f`` and label branch ``g``
    (``backbone`` + ``head``) and the bias predictor ``h`` (``bias_head``,
    reading ``f``'s output through ``bias_neck``, a gradient-reversal layer),
    and runs the method's alternating update in :meth:`train_step`:

    A. loss = CE(g(f(x)), y) + lambda * negative_entropy(h(f(x))); backward;
       step the ``main`` optimizer (f and g) only.
    B. a fresh forward of the updated ``f`` through the gradient reversal
       into ``h``; bias cross-entropy; backward; step ``main`` and ``bias``.

    During the first ``pretrain_epochs`` epochs (a warm-up), phase A is plain
    cross-entropy and in phase B ``h`` takes ``warmup_bias_steps`` steps on
    detached features (no reversal), so unlearning starts from a trained
    classifier and predictor. A recipe that re-initialises ``h`` when
    unlearning starts (``UnlearningStartHook``) sets ``warmup_bias_steps=0``:
    its warm-up iterations then cost what a baseline iteration costs, and
    ``h``'s metric is left out of the warm-up's validation.

    With ``bias_steps`` k > 1, phase B first takes k - 1 steps of ``h``
    alone on detached features of the updated ``f`` (``h`` catches up with
    ``f``, as a GAN's discriminator takes several steps per generator step),
    then the step above, so ``f`` unlearns against a stronger predictor.
    ``f`` does not move during ``h``'s own steps, so they all read one
    forward of ``f`` (one BatchNorm statistics update per iteration for all
    of them). In one process the reversal step reads that forward too,
    through its graph (its BatchNorm layers then update their running
    statistics once more on the same inputs, as the forward it saves would
    have); under a distributed wrapper it runs its own forward, so that DDP
    all-reduces its gradients.

    Args:
        backbone (dict): ``f`` and ``g``; must return ``(f_map, g_feature)``
            and provide ``extract_bias_feat`` (e.g. ``LNTLConvNet``).
        head (dict): The label classifier's last layer (a ClsHead).
        bias_head (dict): The bias predictor ``h``, with ``loss``,
            ``uncertainty`` and ``predict`` (e.g. ``BiasPredictionHead``).
        bias_neck (dict): Sits between ``f`` and ``h`` in phase B and is
            called as ``bias_neck(feats, progress=p)``, ``p`` the fraction
            of the unlearning epochs done (for mu schedules).
            Defaults to ``dict(type='GradientReversal', mu=0.1)``.
        entropy_weight (float): lambda, the weight of ``h``'s negative
            entropy in phase A. Defaults to 0.01.
        pretrain_epochs (int): Warm-up epochs before unlearning starts.
            Defaults to 0.
        bias_steps (int): Updates of ``h`` per iteration in phase B (the
            paper: 1). Defaults to 1.
        warmup_bias_steps (int, optional): Updates of ``h`` per iteration
            during the warm-up, on detached features; 0 leaves ``h``
            untrained until unlearning starts. Defaults to None
            (``bias_steps``).
        uncertainty_loss (str): The phase-A term that makes ``h`` uncertain:
            ``'neg_entropy'`` (LNTL) or ``'uniform_ce'`` (the confusion loss
            of BlindEye, Alvi et al. 2018). Defaults to ``'neg_entropy'``.
        step_g_in_phase_b (bool): In phase B's reversal step, also step
            ``g`` (the ``main`` parameters without a gradient there) on a
            zero gradient: an extra momentum and weight-decay step per
            iteration, as the authors' code took under the PyTorch of its
            time, whose ``zero_grad()`` left zero gradients. Defaults to
            False: ``g`` is not stepped in phase B.
        data_preprocessor (dict, optional): Defaults to
            ``ClsDataPreprocessor``.
        init_cfg (dict, optional): MMEngine initialisation config.
    """

    #: Child modules that label prediction does not use: a checkpoint without
    #: their weights (e.g. a baseline's) can still be evaluated, see
    #: :meth:`set_untrained_modules`.
    optional_modules = ('bias_neck', 'bias_head')

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 bias_head: dict,
                 bias_neck: dict = dict(type='GradientReversal', mu=0.1),
                 entropy_weight: float = 0.01,
                 pretrain_epochs: int = 0,
                 bias_steps: int = 1,
                 warmup_bias_steps: Optional[int] = None,
                 uncertainty_loss: str = 'neg_entropy',
                 step_g_in_phase_b: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        data_preprocessor = dict(data_preprocessor or {})
        data_preprocessor.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
        super().__init__(
            init_cfg=init_cfg, data_preprocessor=data_preprocessor)
        entropy_weight = check_number(
            'entropy_weight', entropy_weight, low=0,
            hint='lambda, the weight of the bias head\'s uncertainty loss; '
            'the paper uses 0.01', owner='LNTLClassifier')
        check_int('pretrain_epochs', pretrain_epochs, low=0,
                  hint='warm-up epochs before unlearning starts',
                  owner='LNTLClassifier')
        check_int('bias_steps', bias_steps, low=1,
                  hint='updates of h per iteration; the paper updates it '
                  'once', owner='LNTLClassifier')
        if uncertainty_loss not in UNCERTAINTY_LOSSES:
            raise ValueError(
                f'LNTLClassifier: uncertainty_loss={uncertainty_loss!r} is '
                f'unknown; choose one of {sorted(UNCERTAINTY_LOSSES)}.')
        if not isinstance(step_g_in_phase_b, bool):
            raise TypeError(
                'LNTLClassifier: step_g_in_phase_b must be True or False, '
                f'got {step_g_in_phase_b!r}.')
        if warmup_bias_steps is not None:
            check_int('warmup_bias_steps', warmup_bias_steps, low=0,
                      hint='updates of h per warm-up iteration; None: as '
                      'bias_steps, 0: h is not trained during the warm-up',
                      owner='LNTLClassifier')
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        self.bias_neck = MODELS.build(bias_neck)
        self.bias_head = MODELS.build(bias_head)
        check_head_channels(self.backbone, self.head, self.bias_head)
        self.entropy_weight = float(entropy_weight)
        self.pretrain_epochs = pretrain_epochs
        self.bias_steps = bias_steps
        self.warmup_bias_steps = (bias_steps if warmup_bias_steps is None
                                  else warmup_bias_steps)
        self._skip_logged = False
        self.uncertainty_loss = uncertainty_loss
        self.step_g_in_phase_b = step_g_in_phase_b
        self.untrained_modules = frozenset()

    def set_untrained_modules(self, names: Iterable[str]) -> None:
        """Mark optional modules whose weights were not loaded.

        Their outputs are left out of :meth:`predict` (for ``bias_head``:
        the bias-prediction counts, hence ``accuracy/bias_head``), so no
        metric of an untrained module is reported. The next training step
        trains every module and clears the mark.

        Args:
            names (Iterable[str]): Names among :attr:`optional_modules`.
        """
        names = frozenset(names)
        unknown = names - set(self.optional_modules)
        if unknown:
            raise ValueError(
                f'LNTLClassifier: {sorted(unknown)} are not optional modules '
                f'(those are {self.optional_modules}).')
        self.untrained_modules = names

    # ------------------------------------------------------------------
    # forward modes
    # ------------------------------------------------------------------
    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """Modes: ``tensor`` (label logits), ``predict``, ``loss`` (all three
        terms, evaluation only) and the training phases used by
        :meth:`train_step`: ``phase_a``, ``phase_b`` (the reversal step),
        ``bias_feat`` (``f``'s output that ``h`` reads) and
        ``phase_b_h_only`` (``h``'s loss on such features, given as
        ``inputs``, for its steps alone)."""
        if mode == 'tensor':
            return self.head(self.backbone(inputs))
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'phase_a':
            return self.loss_phase_a(inputs, data_samples)
        if mode == 'phase_b':
            return self.loss_phase_b(inputs, data_samples)
        if mode == 'bias_feat':
            return self.backbone.extract_bias_feat(inputs)
        if mode == 'phase_b_h_only':
            return self.loss_bias_only(inputs, data_samples)
        if mode == 'loss':
            if self.training:
                raise RuntimeError(
                    'LNTLClassifier was asked for mode="loss" in training, '
                    'which means its own train_step (the alternating '
                    'update) was bypassed, typically by a model wrapper '
                    'such as MMDistributedDataParallel. Set model_wrapper_cfg'
                    "=dict(type='LNTLDistributedDataParallel') in the config "
                    'for distributed training.')
            return self.loss(inputs, data_samples)
        raise RuntimeError(f'LNTLClassifier: invalid mode "{mode}"; use '
                           'tensor, predict, loss, phase_a, phase_b, '
                           'bias_feat or phase_b_h_only.')

    def extract_feat(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """``(f_map, g_feature)`` of the backbone."""
        return self.backbone(inputs)

    def in_warmup(self) -> bool:
        """Whether the current epoch is a warm-up epoch (see
        ``pretrain_epochs``); outside a Runner there is no warm-up."""
        epoch = MessageHub.get_current_instance().get_info('epoch')
        return epoch is not None and epoch < self.pretrain_epochs

    def unlearning_progress(self) -> float:
        """Fraction of the unlearning epochs (after the warm-up) done; 1
        outside a Runner. Passed to ``bias_neck`` for mu schedules."""
        return training_progress(begin_epoch=self.pretrain_epochs)

    def loss_phase_a(self, inputs: torch.Tensor,
                     data_samples: List[DataSample]
                     ) -> Dict[str, torch.Tensor]:
        """Phase A losses: label CE plus lambda times h's uncertainty loss
        (negative entropy for LNTL)."""
        f_map, g_feat = self.backbone(inputs)
        losses = dict(
            loss_cls=self.head.loss((g_feat, ), data_samples)['loss'])
        lam = 0.0 if self.in_warmup() else self.entropy_weight
        if lam > 0:
            # h is not stepped in phase A: its parameters enter as detached
            # tensors, so backward skips their weight gradients (the costliest
            # part of h's backward) while f still gets the full gradient.
            with detached_parameters(self.bias_head):
                uncertainty = self.bias_head.uncertainty(
                    (f_map, ), self.uncertainty_loss)
            losses['loss_entropy'] = lam * uncertainty
            losses[self.uncertainty_loss] = uncertainty.detach()
        losses['lambda'] = inputs.new_tensor(lam)
        return losses

    def loss_phase_b(self, inputs: torch.Tensor,
                     data_samples: List[DataSample]
                     ) -> Dict[str, torch.Tensor]:
        """Phase B's reversal step: h's bias CE on f's output through the
        bias neck (the gradient reversal)."""
        return self.loss_reversal(
            self.backbone.extract_bias_feat(inputs), data_samples)

    def loss_reversal(self, bias_feat: torch.Tensor,
                      data_samples: List[DataSample]
                      ) -> Dict[str, torch.Tensor]:
        """h's bias CE on ``bias_feat`` (f's output, with its graph) through
        the bias neck: the loss of the reversal step."""
        progress = self.unlearning_progress()
        feats = self.bias_neck((bias_feat, ), progress=progress)
        losses = self.bias_head.loss(feats, data_samples)
        losses['mu'] = bias_feat.new_tensor(
            self.bias_neck.current_mu(progress))
        return losses

    def loss_bias_only(self, feats: torch.Tensor,
                       data_samples: List[DataSample]
                       ) -> Dict[str, torch.Tensor]:
        """h's bias CE on given (detached) features of f: a step of h
        alone, which no gradient takes back into f."""
        losses = self.bias_head.loss((feats.detach(), ), data_samples)
        losses['mu'] = feats.new_tensor(0.0)
        return losses

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """All loss terms at once (for evaluation; training uses
        :meth:`train_step`)."""
        f_map, g_feat = self.backbone(inputs)
        losses = dict(
            loss_cls=self.head.loss((g_feat, ), data_samples)['loss'])
        losses['loss_entropy'] = self.entropy_weight * \
            self.bias_head.uncertainty((f_map, ), self.uncertainty_loss)
        losses.update(self.bias_head.loss((f_map, ), data_samples))
        return losses

    def predict(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """Label predictions; with targets present, also h's per-sample
        bias-prediction counts (``bias_pred_correct``/``bias_pred_count``)."""
        f_map, g_feat = self.backbone(inputs)
        samples = self.head.predict((g_feat, ), data_samples, **kwargs)
        if 'bias_head' not in self.untrained_modules \
                and data_samples is not None and all(
                    self.bias_head.target_key in s for s in samples):
            self.bias_head.predict((f_map, ), samples)
        return samples

    # ------------------------------------------------------------------
    # the alternating update
    # ------------------------------------------------------------------
    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One LNTL iteration (phases A and B); see the class docstring."""
        return self.alternating_train_step(data, optim_wrapper, self)

    def alternating_train_step(
            self, data: dict, optim_wrapper: OptimWrapperDict,
            forward: Callable) -> Dict[str, torch.Tensor]:
        """Run phases A and B, calling the model through ``forward``.

        ``forward`` is this model itself, or a distributed wrapper around it
        (``LNTLDistributedDataParallel``) so that both phases run through
        DDP's forward and their gradients are all-reduced.
        """
        main, bias = self.get_optim_wrappers(optim_wrapper)
        data = self.data_preprocessor(data, True)
        inputs, data_samples = data['inputs'], data['data_samples']
        warmup = self.in_warmup()
        h_alone = self.warmup_bias_steps if warmup else self.bias_steps - 1
        # this step trains every module, except h in a warm-up without h
        h_untrained = warmup and h_alone == 0
        self.untrained_modules = frozenset(['bias_head'] if h_untrained
                                           else [])
        if h_untrained:
            self.log_untrained_bias_head()

        # Phase A: f and g learn the labels and to make h uncertain.
        optim_wrapper.zero_grad()
        with main.optim_context(forward):
            losses = forward(inputs, data_samples, mode='phase_a')
        loss_a, log_vars = self.parse_losses(losses)
        main.backward(loss_a)
        main.step()

        # Phase B: h learns the bias, first alone (on one detached forward
        # of the updated f, which these steps do not move), then, after the
        # warm-up, in the reversal step, through which f unlearns it.
        log_vars_b = {}
        # In one process, h's own steps and the reversal step read one
        # forward of f (f does not move in between; the reversal step
        # back-propagates through its graph). A distributed wrapper needs
        # each step to be its own forward through it, so that DDP
        # all-reduces that step's gradients.
        share_f = h_alone and not warmup and forward is self
        if share_f:
            with bias.optim_context(forward), recorded_batch_norm_inputs(
                    self.backbone) as repeat_statistics_updates:
                bias_feat = self.backbone.extract_bias_feat(inputs)
            # f's BatchNorm statistics get the update of the forward this
            # one stands for, so the trained model (running statistics
            # included) is bit-identical to one forward per step
            repeat_statistics_updates()
            feats = bias_feat.detach()
        elif h_alone:
            with torch.no_grad(), bias.optim_context(forward):
                feats = forward(inputs, mode='bias_feat')
        for _ in range(h_alone):
            optim_wrapper.zero_grad()
            with bias.optim_context(forward):
                losses = forward(feats, data_samples, mode='phase_b_h_only')
            loss_b, log_vars_b = self.parse_losses(losses)
            bias.backward(loss_b)
            optim_wrapper.step_jointly(['bias'])
        if not warmup:
            optim_wrapper.zero_grad()
            with bias.optim_context(forward):
                losses = (self.loss_reversal(bias_feat, data_samples)
                          if share_f else
                          forward(inputs, data_samples, mode='phase_b'))
            loss_b, log_vars_b = self.parse_losses(losses)
            bias.backward(loss_b)
            if self.step_g_in_phase_b:
                give_zero_gradients(main.optimizer)
            optim_wrapper.step_jointly(['main', 'bias'])
        optim_wrapper.zero_grad()

        log_vars_b.pop('loss', None)
        log_vars.update(log_vars_b)
        return log_vars

    def log_untrained_bias_head(self) -> None:
        """Say once per run that h is skipped in the warm-up, and what that
        leaves out of the logs."""
        if self._skip_logged:
            return
        self._skip_logged = True
        print_log(
            f'Warm-up (epochs 1-{self.pretrain_epochs}): h is not trained '
            '(model.warmup_bias_steps=0), so loss_bias and '
            'accuracy/bias_head are not reported until unlearning starts at '
            f'epoch {self.pretrain_epochs + 1}.',
            logger='current')

    @staticmethod
    def get_optim_wrappers(
            optim_wrapper) -> Tuple[OptimWrapper, OptimWrapper]:
        """The ``main`` (f+g) and ``bias`` (h) wrappers, or a clear error."""
        if not (isinstance(optim_wrapper, OptimWrapperDict)
                and {'main', 'bias'} <= set(optim_wrapper.keys())
                and callable(getattr(optim_wrapper, 'step_jointly', None))):
            raise TypeError(
                'LNTLClassifier.train_step needs two optimizers, "main" for '
                'f+g and "bias" for h, in an LNTLOptimWrapperDict (which '
                'steps them jointly), but got '
                f'{type(optim_wrapper).__name__}. {TWO_OPTIMIZERS_FIX}')
        return optim_wrapper['main'], optim_wrapper['bias']
